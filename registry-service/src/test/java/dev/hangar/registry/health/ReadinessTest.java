package dev.hangar.registry.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Against the running stack: PostgreSQL and the OCI registry answer, so the registry service is ready. */
@QuarkusTest
class ReadinessTest {

    @Test
    void readyWhenTheDatabaseAndTheOciRegistryAnswer() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'oci-registry' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'oci-registry' }.data.url", equalTo("http://127.0.0.1:5000/v2/"))
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("UP"));
    }

    @Test
    void livenessChecksNoDependency() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", not(hasItem("oci-registry")));
    }

    @Test
    void prometheusMetricsAreServed() {
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("jvm_memory_used_bytes"))
                .body(org.hamcrest.Matchers.containsString("http_server_requests_seconds_count"));
    }
}
