package dev.hangar.registry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.hangar.contracts.InternalAuth;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry as a hostile caller sees it: without the internal token nothing answers, and with
 * it, the gateway's word for another owner cannot register into, repin or build into a namespace
 * it does not own, and nobody changes a pinned digest without the recorded override.
 */
@QuarkusTest
class CatalogueOwnershipTest {
    private static final String PATH = "/v1/processors/{ns}/{name}/versions/{version}";

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void cleanTables() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE processor_spec, namespace_owner, pin_override CASCADE");
        }
        RestAssured.requestSpecification = null;
    }

    /** A request from the gateway (with the internal token) on behalf of {@code owner}. */
    private static io.restassured.specification.RequestSpecification as(String owner) {
        return given().header(InternalAuth.TOKEN_HEADER, Specs.INTERNAL_TOKEN).header(InternalAuth.OWNER_HEADER, owner);
    }

    @AfterEach
    void reset() {
        RestAssured.requestSpecification = null;
    }

    @Test
    void withoutOrWithAWrongInternalTokenEveryEndpointIs401ButHealth() {
        RestAssured.requestSpecification = null;
        given().get("/v1/processors").then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"))
                .body("detail", containsString(InternalAuth.TOKEN_HEADER));
        given().header(InternalAuth.TOKEN_HEADER, "guessed").header(InternalAuth.OWNER_HEADER, "mallory")
                .contentType(ContentType.JSON).body(Specs.spec("evil/tool@1").toString())
                .put(PATH, "evil", "tool", 1).then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"));
        given().header(InternalAuth.TOKEN_HEADER, "").get("/v1/namespaces/evil/owners").then().statusCode(401);
        given().get("/v1/nothing-here").then().statusCode(401);
        given().get("/q/health/live").then().statusCode(200);
        as("local").get("/v1/processors").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void anotherOwnerCannotRegisterPinOrBuildIntoANamespaceItDoesNotOwn() throws Exception {
        as("alice").contentType(ContentType.JSON).body(Specs.spec("alice-ns/tool@1").toString())
                .put(PATH, "alice-ns", "tool", 1).then().statusCode(201);
        as("alice").get("/v1/namespaces/alice-ns/owners").then().statusCode(200).body("owner", contains("alice"));

        as("bob").contentType(ContentType.JSON).body(Specs.spec("alice-ns/other@1").toString())
                .put(PATH, "alice-ns", "other", 1).then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").contentType(ContentType.JSON).body(Specs.spec("alice-ns/tool@1").put("description", "bob's now").toString())
                .put(PATH, "alice-ns", "tool", 1).then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").contentType(ContentType.JSON).body("{\"digest\":\"" + Specs.debianDigest() + "\"}")
                .put(PATH + "/digests/{platform}", "alice-ns", "tool", 1, "amd64")
                .then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").contentType(ContentType.JSON).body("{\"tag\":\"hangar-local/alice-ns-tool:1\",\"image_id\":\"sha256:"
                        + "ab".repeat(32) + "\"}")
                .post(PATH + "/builds", "alice-ns", "tool", 1).then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").get(PATH, "alice-ns", "tool", 1).then().statusCode(200).body("description", equalTo("test processor alice-ns/tool@1"))
                .body("digests.size()", equalTo(0));
        as("bob").get("/v1/processors").then().body("ref", contains("alice-ns/tool@1"));

        given().header(InternalAuth.TOKEN_HEADER, Specs.INTERNAL_TOKEN).contentType(ContentType.JSON).body(Specs.spec("anon-ns/tool@1").toString())
                .put(PATH, "anon-ns", "tool", 1).then().statusCode(400).body("detail", containsString(InternalAuth.OWNER_HEADER));

        as("admin").put("/v1/namespaces/alice-ns/owners/bob").then().statusCode(200).body("granted_by", equalTo("admin"));
        as("bob").contentType(ContentType.JSON).body(Specs.spec("alice-ns/other@1").toString())
                .put(PATH, "alice-ns", "other", 1).then().statusCode(201);
        as("admin").delete("/v1/namespaces/alice-ns/owners/bob").then().statusCode(204);
        as("bob").contentType(ContentType.JSON).body(Specs.spec("alice-ns/other@2").toString())
                .put(PATH, "alice-ns", "other", 2).then().statusCode(403);
    }

    @Test
    void aPinnedDigestIsImmutableUnlessItsOwnerOverridesItOnTheRecord() throws Exception {
        String python = Specs.pythonDigest();
        String debian = Specs.debianDigest();
        as("alice").contentType(ContentType.JSON)
                .body(Specs.spec("alice-ns/img@1", "127.0.0.1:5000/base/python", Map.of("amd64", python)).toString())
                .put(PATH, "alice-ns", "img", 1).then().statusCode(201);
        // the same digest again is fine (a re-push of an unchanged image)
        as("alice").contentType(ContentType.JSON)
                .body(Specs.spec("alice-ns/img@1", "127.0.0.1:5000/base/python", Map.of("amd64", python)).toString())
                .put(PATH, "alice-ns", "img", 1).then().statusCode(200);
        as("alice").contentType(ContentType.JSON).body(Specs.spec("alice-ns/img@1", Specs.IMAGE, Map.of("amd64", debian)).toString())
                .put(PATH, "alice-ns", "img", 1).then().statusCode(409).body("code", equalTo("ERR_VERSION_IMMUTABLE"))
                .body("detail", containsString("new version"));
        as("alice").contentType(ContentType.JSON).body("{\"digest\":\"" + debian + "\"}")
                .put(PATH + "/digests/{platform}", "alice-ns", "img", 1, "amd64")
                .then().statusCode(409).body("code", equalTo("ERR_VERSION_IMMUTABLE"));
        as("alice").get(PATH, "alice-ns", "img", 1).then().body("digests.amd64", equalTo(python));
        as("alice").get(PATH + "/overrides", "alice-ns", "img", 1).then().statusCode(200).body("size()", equalTo(0));

        as("alice").contentType(ContentType.JSON).body(Specs.spec("alice-ns/img@1", Specs.IMAGE, Map.of("amd64", debian)).toString())
                .queryParam("override", "true").put(PATH, "alice-ns", "img", 1).then().statusCode(200)
                .body("digests.amd64", equalTo(debian));
        as("alice").get(PATH + "/overrides", "alice-ns", "img", 1).then().statusCode(200).body("$", hasSize(1))
                .body("[0].owner", equalTo("alice")).body("[0].previous_digest", equalTo(python))
                .body("[0].digest", equalTo(debian)).body("[0].platform", equalTo("amd64"));

        as("bob").contentType(ContentType.JSON).body("{\"digest\":\"" + python + "\"}").queryParam("override", "true")
                .put(PATH + "/digests/{platform}", "alice-ns", "img", 1, "amd64")
                .then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").get(PATH, "alice-ns", "img", 1).then().body("digests.amd64", equalTo(debian));
    }
}
