package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The internal attempt counter: real HTTP, the real database; a claim for an ended run is refused. */
@QuarkusTest
class AttemptClaimTest {
    static final String TOKEN = "local-development-internal-token";

    @Inject
    AgroalDataSource db;

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
        claim(id, "wrong", 3).then().statusCode(401).body("code", equalTo("ERR_UNAUTHORIZED"));
        given().contentType("application/json").body("{\"executor_id\":\"executor-a\",\"max_attempts\":0}")
                .header("X-Hangar-Internal-Token", TOKEN).post("/internal/v1/runs/" + id + "/attempts")
                .then().statusCode(400).body("code", equalTo("ERR_BAD_REQUEST"));
        claim(id, TOKEN, 3).then().statusCode(200).body("attempt", equalTo(1));
    }

    private static io.restassured.response.Response claim(String id, String token, int max) {
        return given().contentType("application/json").header("X-Hangar-Internal-Token", token)
                .body("{\"executor_id\":\"executor-a\",\"max_attempts\":" + max + "}")
                .post("/internal/v1/runs/" + id + "/attempts");
    }
}
