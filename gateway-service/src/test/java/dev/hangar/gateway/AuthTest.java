package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.contracts.Json;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With tokens required: each owner sees and touches only its own runs, plans and secrets. */
@QuarkusTest
@TestProfile(AuthTest.Enabled.class)
public class AuthTest {
    static final String ALICE = "Bearer alice-token-for-tests";
    static final String BOB = "Bearer bob-token-for-tests";
    static final String REF = "gwtest/auth-" + Long.toString(System.nanoTime(), 36) + "@1";

    /** Auth on, two bootstrap tokens. */
    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hangar.gateway.auth-enabled", "true",
                    "hangar.gateway.bootstrap-tokens", "alice=alice-token-for-tests,bob=bob-token-for-tests");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @Test
    void noOrAnUnknownTokenIsUnauthorized() {
        given().get("/v1/runs").then().statusCode(401).body("code", equalTo("ERR_UNAUTHORIZED"));
        given().header("Authorization", "Bearer nope").get("/v1/runs").then().statusCode(401);
        given().header("Authorization", "Basic YWxpY2U6eA==").get("/v1/plans").then().statusCode(401);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void oneOwnerCannotSeeOrTouchAnothersRun() throws Exception {
        String id = given().header("Authorization", ALICE).contentType("application/json")
                .body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"mine\"}}").post("/v1/runs")
                .then().statusCode(202).extract().path("execution_id");
        given().header("Authorization", ALICE).get("/v1/runs/" + id).then().statusCode(200);
        given().header("Authorization", BOB).get("/v1/runs/" + id).then().statusCode(404).body("code", equalTo("ERR_RUN_NOT_FOUND"));
        given().header("Authorization", BOB).post("/v1/runs/" + id + "/cancel").then().statusCode(404);
        given().header("Authorization", BOB).get("/v1/runs?limit=1000").then().statusCode(200)
                .body("execution_id", not(hasItem(id)));
        given().header("Authorization", ALICE).get("/v1/runs?limit=1000").then().statusCode(200).body("execution_id", hasItem(id));

        var bobs = RunStreamSocketTest.Frames.connect(base, id, BOB);
        bobs.closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("ERR_RUN_NOT_FOUND", bobs.frames.get(0).get("code").asText(), "no stream of another's run");
        var anonymous = RunStreamSocketTest.Frames.connect(base, id, null);
        anonymous.closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("ERR_UNAUTHORIZED", anonymous.frames.get(0).get("code").asText());
    }

    @Test
    void anotherOwnersRefusedChangeLeavesTheSpecTheOwnersRunsSee() throws Exception {
        String run = "{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"hi\"}}";
        given().header("Authorization", ALICE).contentType("application/json").body(run).post("/v1/runs").then().statusCode(202);
        // bob tries to make the processor require an input alice's runs do not send (SpecCacheTest)
        var requiringN = TestStack.spec(REF, SpecCacheTest.TEXT_AND_N);
        String version = "/v1/processors/" + requiringN.ref().namespace() + "/" + requiringN.ref().name() + "/versions/1";
        given().header("Authorization", BOB).contentType("application/json").queryParam("override", true)
                .body(Json.write(requiringN)).put(version)
                .then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        given().header("Authorization", ALICE).contentType("application/json").body(run).post("/v1/runs").then().statusCode(202);
        given().header("Authorization", ALICE).get(version).then().statusCode(200)
                .body("inputs_schema.required", hasItem("text")).body("inputs_schema.required", not(hasItem("n")));
    }

    @Test
    void plansAndSecretsAreEachOwnersOwn() {
        String plan = "shared-name-" + Long.toString(System.nanoTime(), 36);
        given().header("Authorization", ALICE).contentType("application/json").body("{\"limit\":5}").put("/v1/plans/" + plan)
                .then().statusCode(200);
        given().header("Authorization", BOB).get("/v1/plans/" + plan).then().statusCode(404).body("code", equalTo("ERR_PLAN_NOT_FOUND"));
        given().header("Authorization", ALICE).contentType("application/json").body("{\"value\":\"alices\"}")
                .put("/v1/secrets/AUTH_TEST_KEY").then().statusCode(204);
        given().header("Authorization", BOB).get("/v1/secrets").then().statusCode(200).body("$", not(hasItem("AUTH_TEST_KEY")));
        given().header("Authorization", BOB).delete("/v1/secrets/AUTH_TEST_KEY").then().statusCode(404);
        given().header("Authorization", ALICE).delete("/v1/secrets/AUTH_TEST_KEY").then().statusCode(204);
    }
}
