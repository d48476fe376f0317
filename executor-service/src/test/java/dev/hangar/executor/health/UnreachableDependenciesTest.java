package dev.hangar.executor.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every dependency pointed at a closed loopback port: readiness is DOWN and names each, liveness stays UP. */
@QuarkusTest
@TestProfile(UnreachableDependenciesTest.Unreachable.class)
class UnreachableDependenciesTest {
    static final String CLOSED = "127.0.0.1:1";

    public static class Unreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "docker.host", "tcp://" + CLOSED,
                    "quarkus.s3.endpoint-override", "http://" + CLOSED,
                    "kafka.bootstrap.servers", CLOSED);
        }
    }

    @Test
    void dockerIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'docker' }.status", equalTo("DOWN"));
    }

    @Test
    void theArtifactsBucketIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'artifacts-bucket' }.status", equalTo("DOWN"));
    }

    @Test
    void kafkaIsDown() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.status", equalTo("DOWN")));
    }

    @Test
    void theProcessIsStillAlive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
