package dev.hangar.registry.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database and the OCI registry pointed at a closed loopback port: readiness DOWN for each, liveness UP. */
@QuarkusTest
@TestProfile(UnreachableDependenciesTest.Unreachable.class)
class UnreachableDependenciesTest {

    public static class Unreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "hangar.registry.oci-url", "http://127.0.0.1:1",
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/hangar_registry_test",
                    "quarkus.flyway.migrate-at-start", "false");
        }
    }

    @Test
    void theOciRegistryIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'oci-registry' }.status", equalTo("DOWN"));
    }

    @Test
    void theDatabaseIsDown() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("DOWN"));
    }

    @Test
    void theProcessIsStillAlive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
