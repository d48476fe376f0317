package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens managed through /v1/tokens: scopes enforced, only one's own, revocation at once, never shown twice. */
@QuarkusTest
@TestProfile(AuthTest.Enabled.class)
class TokensTest {
    static final String REF = "gwtest/tokens-" + Long.toString(System.nanoTime(), 36) + "@1";

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    static String create(String as, String name, String scopes) {
        return given().header("Authorization", as).contentType("application/json")
                .body("{\"name\":\"" + name + "\",\"scopes\":" + scopes + "}").post("/v1/tokens")
                .then().statusCode(201).body("name", equalTo(name)).body("owner", equalTo("alice"))
                .extract().path("token");
    }

    @Test
    void anIdempotencyKeyMakesOneTokenHoweverOftenItIsSent() {
        String key = "tok-" + Long.toString(System.nanoTime(), 36);
        String name = "retried " + key; // unique: the database keeps earlier runs' tokens
        String body = "{\"name\":\"" + name + "\",\"scopes\":[\"read\"]}";
        var first = given().header("Authorization", AuthTest.ALICE).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/v1/tokens").then().statusCode(201).extract();
        String id = first.path("id");
        String token = first.path("token");
        given().header("Authorization", AuthTest.ALICE).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/v1/tokens").then().statusCode(200).body("id", equalTo(id))
                .body("token", org.hamcrest.Matchers.nullValue()).body("name", equalTo(name));
        given().header("Authorization", AuthTest.ALICE).get("/v1/tokens").then().statusCode(200)
                .body("findAll { it.id == '" + id + "' }.size()", equalTo(1))
                .body("findAll { it.name == '" + name + "' }.size()", equalTo(1));
        given().header("Authorization", "Bearer " + token).get("/v1/session").then().statusCode(200);
        // another owner's same key is another token; a malformed key is refused before anything is made
        given().header("Authorization", AuthTest.BOB).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/v1/tokens").then().statusCode(201).body("owner", equalTo("bob"));
        given().header("Authorization", AuthTest.ALICE).header("Idempotency-Key", "has space").contentType("application/json")
                .body("{\"name\":\"bad key\",\"scopes\":[\"read\"]}").post("/v1/tokens").then().statusCode(400)
                .body("code", equalTo("ERR_OPTION_INVALID"));
        given().header("Authorization", AuthTest.ALICE).get("/v1/tokens").then().body("name", not(hasItem("bad key")));
        // once revoked, the key makes a fresh token again
        given().header("Authorization", AuthTest.ALICE).delete("/v1/tokens/" + id).then().statusCode(204);
        given().header("Authorization", AuthTest.ALICE).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/v1/tokens").then().statusCode(201).body("token", org.hamcrest.Matchers.startsWith("hgr_"));
    }

    @Test
    void aReadTokenReadsButCannotRunMintMoreOrKeepContainers() {
        String read = "Bearer " + create(AuthTest.ALICE, "reader", "[\"read\"]");
        given().header("Authorization", read).get("/v1/runs").then().statusCode(200);
        given().header("Authorization", read).get("/v1/session").then().statusCode(200).body("owner", equalTo("alice"));
        given().header("Authorization", read).contentType("application/json").body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"x\"}}")
                .post("/v1/runs").then().statusCode(403).body("code", equalTo("ERR_SCOPE_MISSING")).body("detail", containsString("'run'"));
        given().header("Authorization", read).contentType("application/json").body("{\"value\":\"v\"}").put("/v1/secrets/TOKENS_TEST")
                .then().statusCode(403).body("code", equalTo("ERR_SCOPE_MISSING"));
        given().header("Authorization", read).contentType("application/json").body("{\"name\":\"escalate\",\"scopes\":[\"run\"]}")
                .post("/v1/tokens").then().statusCode(403).body("code", equalTo("ERR_SCOPE_MISSING"));

        String runner = "Bearer " + create(AuthTest.ALICE, "runner", "[\"read\",\"run\"]");
        given().header("Authorization", runner).contentType("application/json")
                .body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"x\"},\"adapter_opts\":{\"keep_container\":true}}")
                .post("/v1/runs").then().statusCode(403).body("code", equalTo("ERR_SCOPE_MISSING"))
                .body("detail", containsString("keep_container"));
        given().header("Authorization", runner).put("/v1/namespaces/gwtest/owners/bob").then().statusCode(403)
                .body("code", equalTo("ERR_SCOPE_MISSING"));
        given().header("Authorization", runner).get("/v1/tokens?all=true").then().statusCode(403);
        given().header("Authorization", runner).contentType("application/json")
                .body("{\"name\":\"for bob\",\"scopes\":[\"read\"],\"owner\":\"bob\"}").post("/v1/tokens").then().statusCode(403);
        given().header("Authorization", runner).contentType("application/json").body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"x\"}}")
                .post("/v1/runs").then().statusCode(202);
    }

    @Test
    void aStreamNeedsTheReadScope() throws Exception {
        String runOnly = "Bearer " + create(AuthTest.ALICE, "run only", "[\"run\"]");
        java.net.URI all = java.net.URI.create(base.toString().replaceFirst("^http", "ws") + "v1/runs/stream");
        var refused = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> RunStreamSocketTest.Frames.connectTo(all, java.util.Map.of("Authorization", runOnly)));
        org.junit.jupiter.api.Assertions.assertEquals(403,
                ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
        String read = "Bearer " + create(AuthTest.ALICE, "stream reader", "[\"read\"]");
        RunStreamSocketTest.Frames.connectTo(all, java.util.Map.of("Authorization", read));
    }

    @Test
    void listingShowsNamesAndScopesNeverTheTokenAndOnlyOnesOwn() {
        String token = create(AuthTest.ALICE, "listed", "[\"read\"]");
        String body = given().header("Authorization", AuthTest.ALICE).get("/v1/tokens").then().statusCode(200)
                .body("name", hasItem("listed")).body("owner", everyItem(equalTo("alice")))
                .body("find { it.name == 'listed' }.scopes", equalTo(java.util.List.of("read")))
                .body("find { it.name == 'listed' }.created_at", not(equalTo(null)))
                .extract().asString();
        assertFalse(body.contains(token), "a listing never shows a token");
        assertFalse(body.contains(token.substring(4, 20)), "nor part of it");
        assertFalse(body.contains("\"token\""), body);
        given().header("Authorization", AuthTest.BOB).get("/v1/tokens").then().statusCode(200).body("name", not(hasItem("listed")));
        // an admin (the bootstrap tokens have every scope) sees everyone's
        given().header("Authorization", AuthTest.BOB).get("/v1/tokens?all=true").then().statusCode(200).body("owner", hasItem("alice"));
    }

    @Test
    void revokingIsAtOnceAndOnlyByTheOwner() {
        String token = "Bearer " + create(AuthTest.ALICE, "short-lived", "[\"read\"]");
        String id = given().header("Authorization", AuthTest.ALICE).get("/v1/tokens").then().extract()
                .path("find { it.name == 'short-lived' }.id");
        given().header("Authorization", token).get("/v1/runs").then().statusCode(200);
        given().header("Authorization", "Bearer " + create(AuthTest.ALICE, "a reader", "[\"read\"]"))
                .delete("/v1/tokens/nope").then().statusCode(404).body("code", equalTo("ERR_TOKEN_NOT_FOUND"));
        given().header("Authorization", token).delete("/v1/tokens/" + id + "x").then().statusCode(404);
        given().header("Authorization", AuthTest.ALICE).delete("/v1/tokens/" + id).then().statusCode(204);
        given().header("Authorization", token).get("/v1/runs").then().statusCode(401).body("code", equalTo("ERR_UNAUTHORIZED"));
        given().header("Authorization", AuthTest.ALICE).delete("/v1/tokens/" + id).then().statusCode(404);
    }

    @Test
    void aTokenRequestMustNameAndScopeIt() {
        given().header("Authorization", AuthTest.ALICE).contentType("application/json").body("{\"name\":\"\",\"scopes\":[\"read\"]}")
                .post("/v1/tokens").then().statusCode(400).body("code", equalTo("ERR_BAD_REQUEST"));
        given().header("Authorization", AuthTest.ALICE).contentType("application/json").body("{\"name\":\"x\",\"scopes\":[]}")
                .post("/v1/tokens").then().statusCode(400);
        given().header("Authorization", AuthTest.ALICE).contentType("application/json").body("{\"name\":\"x\",\"scopes\":[\"root\"]}")
                .post("/v1/tokens").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
    }
}
