package dev.hangar.storage.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Against the running stack's S3: the bucket answers, so the storage service is ready. */
@QuarkusTest
class ReadinessTest {

    @Test
    void readyWhenTheBucketAnswers() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'artifacts-bucket' }.status", equalTo("UP"));
    }

    @Test
    void livenessChecksNoDependency() {
        given().get("/q/health/live").then().statusCode(200).body("checks.name", not(hasItem("artifacts-bucket")));
    }

    @Test
    void prometheusMetricsAreServed() {
        given().header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, dev.hangar.contracts.InternalAuth.FALLBACK_TOKEN)
                .get("/v1/artifacts?prefix=/artifacts/test/metrics-probe/").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/v1/artifacts\"}"));
    }
}
