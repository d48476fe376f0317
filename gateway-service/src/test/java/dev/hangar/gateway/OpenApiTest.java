package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.contracts.Json;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** What {@code /q/openapi} tells a client about the run endpoints: one named contract type per answer. */
@QuarkusTest
class OpenApiTest {
    /** Fetched per test: RestAssured points at this test's port only from beforeEach on, not in a {@code @BeforeAll}. */
    static String schemaRef(String path, String method, String status) throws Exception {
        String body = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        return Json.MAPPER.readTree(body).path("paths").path(path).path(method).path("responses").path(status)
                .path("content").path("application/json").path("schema").path("$ref").asText(null);
    }

    @Test
    void aRunIsOneRunDetail() throws Exception {
        assertEquals("#/components/schemas/RunDetail", schemaRef("/v1/runs/{id}", "get", "200"));
    }

    @Test
    void aCancelAnswersWithRunControlAccepted() throws Exception {
        assertEquals("#/components/schemas/Accepted", schemaRef("/v1/runs/{id}/cancel", "post", "202"));
    }

    @Test
    void aSubmissionAnswersWithRunAccepted() throws Exception {
        assertEquals("#/components/schemas/RunAccepted", schemaRef("/v1/runs", "post", "202"));
        assertEquals("#/components/schemas/RunAccepted", schemaRef("/v1/runs", "post", "200"));
        assertEquals("#/components/schemas/RunDetail", schemaRef("/v1/runs", "post", "201"), "Prefer: wait, and the run ended");
    }
}
