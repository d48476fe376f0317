package dev.hangar.storage.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.hangar.contracts.InternalAuth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A caller that is not one of Hangar's services (no or a wrong internal token) can neither presign, list, read nor upload. */
@QuarkusTest
class InternalTokenTest {

    /** Every following RestAssured request carries the test profile's internal token, as the gateway's would. */
    static void asGateway() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader(InternalAuth.TOKEN_HEADER, InternalAuth.FALLBACK_TOKEN).build();
    }

    @BeforeEach
    void noDefaultToken() {
        RestAssured.requestSpecification = null;
    }

    @Test
    void everyEndpointButHealthRefusesAMissingOrWrongToken() {
        for (String wrong : new String[] {null, "", "local-development-internal-token-but-longer", "guess"}) {
            var request = wrong == null ? given() : given().header(InternalAuth.TOKEN_HEADER, wrong);
            request.contentType("application/json").body("{\"path\":\"/artifacts/x/y.txt\",\"method\":\"GET\",\"expires_seconds\":60}")
                    .post("/v1/artifacts/presign").then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"));
            (wrong == null ? given() : given().header(InternalAuth.TOKEN_HEADER, wrong)).get("/v1/artifacts?prefix=/artifacts/")
                    .then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"));
            (wrong == null ? given() : given().header(InternalAuth.TOKEN_HEADER, wrong)).get("/v1/artifacts/inputs/x.txt")
                    .then().statusCode(401);
            (wrong == null ? given() : given().header(InternalAuth.TOKEN_HEADER, wrong)).contentType("application/octet-stream")
                    .body(new byte[] {1}).post("/v1/attachments?filename=a.bin").then().statusCode(401);
        }
        given().get("/q/health/live").then().statusCode(200);
        given().header(InternalAuth.TOKEN_HEADER, InternalAuth.FALLBACK_TOKEN).get("/v1/artifacts?prefix=/artifacts/nothing-" + System.nanoTime() + "/")
                .then().statusCode(200);
    }
}
