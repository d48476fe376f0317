package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry service, the storage service and Kafka pointed at a closed loopback port:
 * readiness DOWN for each, liveness UP. (The database stays: the gateway loads its tokens at
 * start and would not start without it; registry-service tests agroal's check DOWN.)
 */
@QuarkusTest
@TestProfile(UnreachableUpstreamsTest.Unreachable.class)
class UnreachableUpstreamsTest {
    static final String CLOSED = "127.0.0.1:1";

    public static class Unreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.rest-client.registry.url", "http://" + CLOSED,
                    "quarkus.rest-client.storage.url", "http://" + CLOSED,
                    "kafka.bootstrap.servers", CLOSED);
        }
    }

    @Test
    void theRegistryServiceIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'registry-service' }.status", equalTo("DOWN"));
    }

    @Test
    void theStorageServiceIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'storage-service' }.status", equalTo("DOWN"));
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
