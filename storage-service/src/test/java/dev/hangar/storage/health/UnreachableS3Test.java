package dev.hangar.storage.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** S3 pointed at a closed loopback port: readiness DOWN, liveness UP. */
@QuarkusTest
@TestProfile(UnreachableS3Test.Unreachable.class)
class UnreachableS3Test {

    public static class Unreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hangar.storage.endpoint", "http://127.0.0.1:1");
        }
    }

    @Test
    void theBucketIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'artifacts-bucket' }.status", equalTo("DOWN"));
    }

    @Test
    void theProcessIsStillAlive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
