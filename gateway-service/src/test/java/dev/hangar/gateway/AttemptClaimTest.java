package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.kit.testing.StackCredentials;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The internal attempt counter: real HTTP, the real database; a claim for an ended run is refused. */
@QuarkusTest
class AttemptClaimTest {
    static final String TOKEN = StackCredentials.internalToken();

    @Inject
    AgroalDataSource db;

    @Inject
    dev.hangar.gateway.internal.InternalServer internal;

    @Test
    void eachClaimIsTheNextAttemptUntilThePolicyIsUsedUp() {
        String id = "claim_" + UUID.randomUUID().toString().replace("-", "");
        claim(id, TOKEN, 2).then().statusCode(200).body("attempt", equalTo(1)).body("max_attempts", equalTo(2))
                .body("executor_id", equalTo("executor-a"));
        claim(id, TOKEN, 2).then().statusCode(200).body("attempt", equalTo(2));
        claim(id, TOKEN, 2).then().statusCode(409).body("code", equalTo("ERR_ATTEMPTS_EXHAUSTED"))
                .body("detail", equalTo("run " + id + " would start attempt 3 but its retry policy allows 2"));
    }

    @Test
    void aRunThatHasEndedGetsNoAttempt() throws Exception {
        String id = "claim_" + UUID.randomUUID().toString().replace("-", "");
        claim(id, TOKEN, 3).then().statusCode(200).body("attempt", equalTo(1));
        try (var c = db.getConnection(); var ps = c.prepareStatement(
                "INSERT INTO runs (execution_id, ref, adapter, mode, status) VALUES (?, 'test/claim@1', 'local', 'mock', 'success')")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        claim(id, TOKEN, 3).then().statusCode(409).body("code", equalTo("ERR_RUN_FINISHED"));
    }

    @Test
    void withoutTheInternalTokenOrWithABadBodyNothingIsCounted() {
        String id = "claim_" + UUID.randomUUID().toString().replace("-", "");
        claim(id, "wrong", 3).then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"));
        onInternalPort().body("{\"executor_id\":\"executor-a\",\"max_attempts\":0,\"lease_seconds\":5}")
                .header("X-Hangar-Internal-Token", TOKEN).post("/internal/v1/runs/" + id + "/attempts")
                .then().statusCode(400).body("code", equalTo("ERR_BAD_REQUEST"));
        claim(id, TOKEN, 3).then().statusCode(200).body("attempt", equalTo(1));
    }

    @Test
    void anAttemptHeldUnderALiveLeaseIsNotGivenToAnotherExecutorUntilTheLeaseExpires() {
        String id = "claim_" + UUID.randomUUID().toString().replace("-", "");
        claim(id, TOKEN, 3, "executor-a", 2).then().statusCode(200).body("attempt", equalTo(1));
        claim(id, TOKEN, 3, "executor-b", 2).then().statusCode(409).body("code", equalTo("ERR_ATTEMPT_RUNNING"));
        renew(id, 1, "executor-a", 2).then().statusCode(200);
        renew(id, 1, "executor-b", 2).then().statusCode(409).body("code", equalTo("ERR_ATTEMPT_RUNNING"));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> claim(id, TOKEN, 3, "executor-b", 30).statusCode() == 200);
        renew(id, 1, "executor-a", 2).then().statusCode(409).body("code", equalTo("ERR_ATTEMPT_RUNNING"));
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT attempt, executor_id FROM run_attempts WHERE execution_id = ?")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertEquals(2, rs.getInt(1), "the lapsed lease's attempt is followed by attempt 2");
                assertEquals("executor-b", rs.getString(2));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anEndReportedByItsExecutorRefusesLaterClaimsBeforeTheEnvelopeIsConsumed() {
        String id = "claim_" + UUID.randomUUID().toString().replace("-", "");
        claim(id, TOKEN, 3, "executor-a", 1).then().statusCode(200).body("attempt", equalTo(1));
        end(id, 1, "executor-b", "success").then().statusCode(409).body("code", equalTo("ERR_ATTEMPT_RUNNING"));
        end(id, 1, "executor-a", "running").then().statusCode(400).body("code", equalTo("ERR_BAD_REQUEST"));
        end(id, 2, "executor-a", "success").then().statusCode(409).body("code", equalTo("ERR_ATTEMPT_RUNNING"));
        claim(id, TOKEN, 3, "executor-a", 1).then().statusCode(200).body("attempt", equalTo(2)); // the refusals ended nothing

        end(id, 2, "executor-a", "success").then().statusCode(204);
        // No runs row, no event consumed, and the lease (1 s) runs out: the claim is still refused.
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        claim(id, TOKEN, 3, "executor-b", 30).then().statusCode(409).body("code", equalTo("ERR_RUN_FINISHED"))
                .body("detail", org.hamcrest.Matchers.containsString("(success)"));
    }

    private io.restassured.response.Response end(String id, int attempt, String executor, String status) {
        return onInternalPort().header("X-Hangar-Internal-Token", TOKEN)
                .body("{\"executor_id\":\"" + executor + "\",\"status\":\"" + status + "\"}")
                .post("/internal/v1/runs/" + id + "/attempts/" + attempt + "/end");
    }

    private io.restassured.response.Response claim(String id, String token, int max) {
        return claim(id, token, max, "executor-a", 1);
    }

    private io.restassured.response.Response claim(String id, String token, int max, String executor, int lease) {
        return onInternalPort().header("X-Hangar-Internal-Token", token)
                .body("{\"executor_id\":\"" + executor + "\",\"max_attempts\":" + max + ",\"lease_seconds\":" + lease + "}")
                .post("/internal/v1/runs/" + id + "/attempts");
    }

    private io.restassured.response.Response renew(String id, int attempt, String executor, int lease) {
        return onInternalPort().header("X-Hangar-Internal-Token", TOKEN)
                .body("{\"executor_id\":\"" + executor + "\",\"max_attempts\":3,\"lease_seconds\":" + lease + "}")
                .put("/internal/v1/runs/" + id + "/attempts/" + attempt);
    }

    /** The attempts endpoint lives on the gateway's internal listener only. */
    private io.restassured.specification.RequestSpecification onInternalPort() {
        return given().baseUri("http://127.0.0.1").port(internal.port()).contentType("application/json");
    }
}
