package dev.hangar.executor.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Against the running stack: Docker, the artefacts bucket and Kafka answer, so the executor is ready. */
@QuarkusTest
class ReadinessTest {

    @Test
    void readyWhenDockerS3AndKafkaAnswer() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'docker' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'artifacts-bucket' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'artifacts-bucket' }.data.bucket", equalTo("hangar-artifacts"))
                .body("checks.find { it.name.contains('Messaging') }.status", equalTo("UP"))
                .body("checks.name", hasItem("SmallRye Reactive Messaging - readiness check"));
    }

    @Test
    void aliveRegardlessOfDependencies() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.not(hasItem("docker")))
                .body("checks.name", org.hamcrest.Matchers.not(hasItem("artifacts-bucket")));
    }
}
