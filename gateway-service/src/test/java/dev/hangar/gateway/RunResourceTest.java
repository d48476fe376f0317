package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The submission path against the real registry service, PostgreSQL and Kafka. Every refused
 * request must leave no run behind.
 */
@QuarkusTest
class RunResourceTest {
    static final String SCHEMA = """
            {"type":"object","required":["text"],"additionalProperties":false,
             "properties":{"text":{"type":"string","minLength":1},"n":{"type":"integer","minimum":1}}}""";

    /** Unique per test run, so no event from an earlier run can ever name it. */
    static final String REFUSED = "gwtest/refuse-" + Long.toString(System.nanoTime(), 36) + "@1";

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void registerProcessor() throws Exception {
        TestStack.register(REFUSED, SCHEMA);
        TestStack.register("gwtest/accept@1", SCHEMA);
    }

    /** Runs of the refs only refused requests use: there must never be any. */
    long runCount() throws Exception {
        try (var c = db.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM runs WHERE ref IN ('" + REFUSED + "', 'gwtest/nothing-here@7')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void refused(String body, int status, String code) throws Exception {
        long before = runCount();
        given().contentType("application/json").body(body)
                .when().post("/v1/runs")
                .then().statusCode(status)
                .contentType("application/problem+json")
                .body("code", equalTo(code))
                .body("status", equalTo(status))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Exception")));
        assertEquals(0, before);
        assertEquals(0, runCount(), "a refused request left a run record behind");
    }

    @Test
    void malformedJsonIsABadRequest() throws Exception {
        refused("{\"ref\": \"" + REFUSED + "\", ", 400, "ERR_BAD_REQUEST");
    }

    @Test
    void unknownFieldsAreRefused() throws Exception {
        refused("{\"ref\":\"" + REFUSED + "\",\"inputz\":{}}", 400, "ERR_BAD_REQUEST");
    }

    @Test
    void badRefForm() throws Exception {
        refused("{\"ref\":\"gwtest/refuse\",\"inputs\":{\"text\":\"x\"}}", 400, "ERR_REF_INVALID");
    }

    @Test
    void unknownRef() throws Exception {
        refused("{\"ref\":\"gwtest/nothing-here@7\",\"inputs\":{\"text\":\"x\"}}", 404, "ERR_PROCESSOR_NOT_FOUND");
    }

    @Test
    void remoteAdapterIsNotConfigured() throws Exception {
        refused("{\"ref\":\"" + REFUSED + "\",\"adapter\":\"remote\",\"inputs\":{\"text\":\"x\"}}", 422, "ERR_ADAPTER_UNAVAILABLE");
    }

    @Test
    void unknownModeAndPlatform() throws Exception {
        refused("{\"ref\":\"" + REFUSED + "\",\"mode\":\"fast\",\"inputs\":{\"text\":\"x\"}}", 400, "ERR_OPTION_INVALID");
        refused("{\"ref\":\"" + REFUSED + "\",\"platform\":\"riscv\",\"inputs\":{\"text\":\"x\"}}", 400, "ERR_OPTION_INVALID");
    }

    @Test
    void unpinnedPlatform() throws Exception {
        refused("{\"ref\":\"" + REFUSED + "\",\"platform\":\"arm64\",\"inputs\":{\"text\":\"x\"}}", 422, "ERR_IMAGE_UNPINNED");
    }

    @ParameterizedTest
    @CsvSource({
        "/artifacts/outputs/fixed/,                ERR_WRITE_PREFIX_NO_EXECUTION_ID",
        "/artifacts/../x/{execution_id}/,          ERR_WRITE_PREFIX_TRAVERSAL",
        "/artifacts/{execution_id}/outputs,        ERR_WRITE_PREFIX_OUTPUTS_SUFFIX",
        "/artifacts/a%2Fb/{execution_id}/,         ERR_WRITE_PREFIX_ENCODED",
    })
    void writePrefixRules(String prefix, String code) throws Exception {
        refused("{\"ref\":\"" + REFUSED + "\",\"write_prefix\":\"" + prefix + "\",\"inputs\":{\"text\":\"x\"}}", 400, code);
    }

    @Test
    void schemaViolationsListEveryPath() throws Exception {
        long before = runCount();
        given().contentType("application/json").body("{\"ref\":\"" + REFUSED + "\",\"inputs\":{\"n\":0,\"extra\":true}}")
                .when().post("/v1/runs")
                .then().statusCode(422)
                .body("code", equalTo("ERR_INPUT_INVALID"))
                .body("errors.path", hasItems("/text", "/n", "/"));
        assertEquals(0, runCount());
    }

    @Test
    void unknownRunIs404() {
        given().when().get("/v1/runs/r-doesnotexist0000")
                .then().statusCode(404).body("code", equalTo("ERR_RUN_NOT_FOUND"));
    }

    @Test
    void acceptedRunIsQueuedAndListed() {
        String id = given().contentType("application/json").body("{\"ref\":\"gwtest/accept@1\",\"inputs\":{\"text\":\"hi\"}}")
                .when().post("/v1/runs")
                .then().statusCode(202)
                .body("status", equalTo("queued"))
                .body("stream_url", startsWith("ws://"))
                .extract().path("execution_id");
        given().when().get("/v1/runs/" + id).then().statusCode(200).body("execution_id", equalTo(id));
        given().when().get("/v1/runs?limit=5").then().statusCode(200).body("execution_id", hasItems(id));
    }
}
