package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.hangar.kit.testing.StackCredentials;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Plans, secrets, idempotency, adapter options and cancel, against the real stack. */
@QuarkusTest
class RunnerOptionsTest {
    /** Where /internal/** lives (404 on the public port). */
    @jakarta.inject.Inject
    dev.hangar.gateway.internal.InternalServer internal;

    static final String SUFFIX = Long.toString(System.nanoTime(), 36);
    static final String REF = "gwtest/options-" + SUFFIX + "@1";
    static final String INPUTS = "\"inputs\":{\"text\":\"x\"}";

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @Test
    void theSameIdempotencyKeyReturnsTheSameRun() {
        String body = "{\"ref\":\"" + REF + "\"," + INPUTS + ",\"idempotency_key\":\"k-" + SUFFIX + "\"}";
        String first = given().contentType("application/json").body(body).post("/v1/runs")
                .then().statusCode(202).extract().path("execution_id");
        String second = given().contentType("application/json").body(body).post("/v1/runs")
                .then().statusCode(200).extract().path("execution_id");
        assertEquals(first, second);
    }

    @Test
    void theIdempotencyKeyHeaderCountsAsTheBodysKey() throws Exception {
        String key = "h-" + SUFFIX;
        String body = "{\"ref\":\"" + REF + "\"," + INPUTS + "}";
        String first = given().contentType("application/json").header("Idempotency-Key", key).body(body).post("/v1/runs")
                .then().statusCode(202).extract().path("execution_id");
        String again = given().contentType("application/json").header("Idempotency-Key", key).body(body).post("/v1/runs")
                .then().statusCode(200).extract().path("execution_id");
        String inBody = given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"idempotency_key\":\"" + key + "\"}").post("/v1/runs")
                .then().statusCode(200).extract().path("execution_id");
        assertEquals(first, again);
        assertEquals(first, inBody);
        given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"idempotency_key\":\"other-" + SUFFIX + "\"}").post("/v1/runs")
                .then().statusCode(400).body("code", equalTo("ERR_BAD_REQUEST"))
                .body("detail", org.hamcrest.Matchers.containsString("differ"));
        given().contentType("application/json").header("Idempotency-Key", "has space").body(body).post("/v1/runs")
                .then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        try (var c = db.getConnection(); var s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM runs WHERE idempotency_key LIKE '%-" + SUFFIX + "' AND idempotency_key <> 'k-"
                     + SUFFIX + "'")) {
            rs.next();
            assertEquals(1, rs.getLong(1), "one run for the key, however often and however it was sent");
        }
    }

    @Test
    void adapterOptionsAreCheckedAgainstTheirSchema() {
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"adapter_opts\":{\"colour\":1}}")
                .post("/v1/runs").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"adapter_opts\":{\"memory_mb\":1}}")
                .post("/v1/runs").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"timeout_seconds\":0}")
                .post("/v1/runs").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"idempotency_key\":\"has space\"}")
                .post("/v1/runs").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
    }

    @Test
    void aPlanRefusesARunItCannotAffordAndHoldsNothing() throws Exception {
        String plan = "tiny-" + SUFFIX;
        given().contentType("application/json").body("{\"limit\":0.000001}").put("/v1/plans/" + plan)
                .then().statusCode(200).body("limit", equalTo(0.000001f));
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"plan\":\"" + plan + "\"}")
                .post("/v1/runs").then().statusCode(402).body("code", equalTo("ERR_BUDGET_EXCEEDED"));
        given().get("/v1/plans/" + plan).then().statusCode(200).body("reserved", equalTo(0.0f)).body("spent", equalTo(0.0f));
        try (var c = db.getConnection(); var s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM runs WHERE plan = '" + plan + "'")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "a refused run leaves no record");
        }
    }

    @Test
    void aPlanIsCreatedByItsFirstUseAndHoldsTheWorstCase() {
        String plan = "first-use-" + SUFFIX;
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\"," + INPUTS + ",\"plan\":\"" + plan + "\"}")
                .post("/v1/runs").then().statusCode(202);
        given().get("/v1/plans/" + plan).then().statusCode(200).body("limit", equalTo(100.0f));
        given().get("/v1/plans").then().statusCode(200).body("key", hasItem(plan));
        given().contentType("application/json").body("{\"limit\":-1}").put("/v1/plans/" + plan)
                .then().statusCode(400).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void secretsGoInOnlyNamesComeOut() {
        String name = "GW_TEST_" + SUFFIX.toUpperCase();
        given().contentType("application/json").body("{\"value\":\"s3cr3t-value-" + SUFFIX + "\"}").put("/v1/secrets/" + name)
                .then().statusCode(204);
        String listing = given().get("/v1/secrets").then().statusCode(200).body("$", hasItem(name)).extract().asString();
        assertFalse(listing.contains("s3cr3t-value"), "values never come out of the public API");
        given().contentType("application/json").body("{\"value\":\"x\"}").put("/v1/secrets/lower-case")
                .then().statusCode(400).body("code", equalTo("ERR_SECRET_INVALID"));
        given().contentType("application/json").body("{\"execution_id\":\"r-x\",\"names\":[\"" + name + "\"]}")
                .baseUri("http://127.0.0.1").port(internal.port())
                .post("/internal/v1/secrets").then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"))
                .body(not(org.hamcrest.Matchers.containsString("s3cr3t")));
        // a run written straight to the bus has no owner, so no secrets to read
        given().baseUri("http://127.0.0.1").port(internal.port())
                .contentType("application/json").header("X-Hangar-Internal-Token", StackCredentials.internalToken())
                .body("{\"execution_id\":\"r-bus-only-run\",\"names\":[\"" + name + "\"]}")
                .post("/internal/v1/secrets").then().statusCode(200).body("values.size()", equalTo(0));
        given().delete("/v1/secrets/" + name).then().statusCode(204);
        given().delete("/v1/secrets/" + name).then().statusCode(404).body("code", equalTo("ERR_SECRET_NOT_FOUND"));
    }

    @Test
    void realModeWithoutItsSecretsIsRefusedNamingThem() throws Exception {
        String ref = "gwtest/needs-secret-" + SUFFIX + "@1";
        TestStack.registerWithSecrets(ref, RunResourceTest.SCHEMA, "GW_NEVER_SET_" + SUFFIX.toUpperCase());
        given().contentType("application/json").body("{\"ref\":\"" + ref + "\",\"mode\":\"real\"," + INPUTS + "}")
                .post("/v1/runs").then().statusCode(422).body("code", equalTo("ERR_MISSING_SECRET"))
                .body("detail", org.hamcrest.Matchers.containsString("GW_NEVER_SET_" + SUFFIX.toUpperCase()));
        given().contentType("application/json").body("{\"ref\":\"" + ref + "\",\"mode\":\"mock\"," + INPUTS + "}")
                .post("/v1/runs").then().statusCode(202);

        String name = "GW_NEVER_SET_" + SUFFIX.toUpperCase();
        given().contentType("application/json").body("{\"value\":\"the-value\"}").put("/v1/secrets/" + name).then().statusCode(204);
        String id = given().contentType("application/json").body("{\"ref\":\"" + ref + "\",\"mode\":\"real\"," + INPUTS + "}")
                .post("/v1/runs").then().statusCode(202).extract().path("execution_id");
        given().baseUri("http://127.0.0.1").port(internal.port())
                .contentType("application/json").header("X-Hangar-Internal-Token", StackCredentials.internalToken())
                .body("{\"execution_id\":\"" + id + "\",\"names\":[\"" + name + "\"]}")
                .post("/internal/v1/secrets").then().statusCode(200).body("values." + name, equalTo("the-value"));
        given().delete("/v1/secrets/" + name).then().statusCode(204);
    }

    @Test
    void cancelAnswersForUnknownAndFinishedRuns() {
        given().post("/v1/runs/r-nosuchrun0000000/cancel").then().statusCode(404).body("code", equalTo("ERR_RUN_NOT_FOUND"));
    }

    @Test
    void attachmentsMustBeUploadedOnes() {
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":{\"$attach\":\"doc\"}}}")
                .post("/v1/runs").then().statusCode(400).body("code", equalTo("ERR_ATTACHMENT_INVALID"));
        given().contentType("application/json").body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":{\"$attach\":\"doc\"}},"
                + "\"attachments\":{\"doc\":\"/etc/passwd\"}}")
                .post("/v1/runs").then().statusCode(400).body("code", equalTo("ERR_ATTACHMENT_INVALID"));
    }
}
