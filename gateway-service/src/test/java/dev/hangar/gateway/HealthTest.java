package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Against the running stack: PostgreSQL, Kafka, the registry and the storage service answer, so the gateway is ready. */
@QuarkusTest
class HealthTest {

    @Test
    void readyWhenEveryDependencyAnswers() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'registry-service' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'registry-service' }.data.url", equalTo("http://127.0.0.1:8081/q/health/live"))
                .body("checks.find { it.name == 'storage-service' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.status", equalTo("UP"));
    }

    @Test
    void livenessChecksNoDependency() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", not(hasItem("registry-service")))
                .body("checks.name", not(hasItem("Database connections health check")));
    }
}
