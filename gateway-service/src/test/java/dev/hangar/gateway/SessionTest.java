package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Console sessions, played as the browser and as the attacker: a token traded for an HttpOnly,
 * SameSite=Strict cookie works from the gateway's own origin, for REST and for streams; the same
 * cookie from another origin (or with no Origin), and a forged or altered cookie, do not.
 */
@QuarkusTest
@TestProfile(AuthTest.Enabled.class)
class SessionTest {
    static final String ALICE_TOKEN = "alice-token-for-tests";

    @TestHTTPResource("/")
    URI base;

    String origin() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    String login() {
        var response = given().contentType("application/json").body("{\"token\":\"" + ALICE_TOKEN + "\"}").post("/v1/sessions")
                .then().statusCode(200).body("owner", equalTo("alice")).body("expires_at", notNullValue())
                .header("Set-Cookie", containsString("HttpOnly")).header("Set-Cookie", containsString("SameSite=Strict"))
                .extract();
        return response.cookie("hangar_session");
    }

    @Test
    void aTokenBecomesASessionForTheGatewaysOwnOrigin() {
        String cookie = login();
        // a same-origin GET comes without an Origin (browsers send none), a page of the gateway with its own
        given().cookie("hangar_session", cookie).get("/v1/session").then().statusCode(200).body("owner", equalTo("alice"));
        given().cookie("hangar_session", cookie).header("Sec-Fetch-Site", "same-origin").get("/v1/runs").then().statusCode(200);
        given().cookie("hangar_session", cookie).header("Origin", origin()).get("/v1/session").then().statusCode(200)
                .body("owner", equalTo("alice"));
        // an <img> or link on another port's page: same site, so the cookie goes along, but not the same origin
        given().cookie("hangar_session", cookie).header("Sec-Fetch-Site", "same-site").get("/v1/runs").then().statusCode(401)
                .body("code", equalTo("ERR_UNAUTHORIZED")).body("detail", containsString("origin"));
        given().cookie("hangar_session", cookie).header("Sec-Fetch-Site", "cross-site").get("/v1/runs").then().statusCode(401);
        // changing state without an Origin is never a browser page of the gateway
        given().cookie("hangar_session", cookie).contentType("application/json").body("{\"limit\":5}")
                .put("/v1/plans/no-origin-" + System.nanoTime()).then().statusCode(401);
        given().cookie("hangar_session", cookie).header("Origin", origin()).get("/v1/runs").then().statusCode(200);
        given().cookie("hangar_session", cookie).header("Origin", "http://evil.example").get("/v1/runs").then().statusCode(401);
        given().cookie("hangar_session", cookie).header("Origin", "http://evil.example").contentType("application/json")
                .body("{\"limit\":5}").put("/v1/plans/csrf-" + System.nanoTime()).then().statusCode(401);
    }

    @Test
    void aBadTokenGetsNoSessionAndNothingLeaks() {
        given().contentType("application/json").body("{\"token\":\"wrong\"}").post("/v1/sessions").then().statusCode(401)
                .header("Set-Cookie", (String) null).body("detail", org.hamcrest.Matchers.not(containsString("wrong")));
        given().contentType("application/json").body("{}").post("/v1/sessions").then().statusCode(400)
                .body("code", equalTo("ERR_BAD_REQUEST"));
        given().contentType("application/json").body("{\"token\":1,\"x\":2}").post("/v1/sessions").then().statusCode(400);
    }

    @Test
    void aForgedOrAlteredCookieIsRefused() {
        String cookie = login();
        int dot = cookie.indexOf('.');
        String payload = new String(java.util.Base64.getUrlDecoder().decode(cookie.substring(0, dot)));
        String asBob = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.replace("alice|", "bob|").getBytes())
                + cookie.substring(dot);
        for (String forged : new String[] {asBob, cookie.substring(0, cookie.length() - 2) + "xx", "alice", cookie + "."}) {
            given().cookie("hangar_session", forged).header("Origin", origin()).get("/v1/runs").then().statusCode(401);
        }
    }

    @Test
    void streamsTakeTheSessionOnlyFromTheOwnOrigin() throws Exception {
        String cookie = login();
        URI allRuns = URI.create(base.toString().replaceFirst("^http", "ws") + "v1/runs/stream");
        var foreign = RunStreamSocketTest.Frames.connectTo(allRuns,
                Map.of("Cookie", "hangar_session=" + cookie, "Origin", "http://evil.example"));
        foreign.closed.get(10, TimeUnit.SECONDS);
        assertEquals("ERR_UNAUTHORIZED", foreign.frames.get(0).get("code").asText());
        var none = RunStreamSocketTest.Frames.connectTo(allRuns, Map.of("Origin", origin()));
        none.closed.get(10, TimeUnit.SECONDS);
        assertEquals("ERR_UNAUTHORIZED", none.frames.get(0).get("code").asText());
        var own = RunStreamSocketTest.Frames.connectTo(allRuns, Map.of("Cookie", "hangar_session=" + cookie, "Origin", origin()));
        org.awaitility.Awaitility.await("the own origin's stream stays open").during(java.time.Duration.ofMillis(500))
                .atMost(java.time.Duration.ofSeconds(2)).until(() -> !own.closed.isDone()
                        && own.frames.stream().noneMatch(f -> f.has("code"))); // events of the owner's runs may come, never a refusal
    }

    @Test
    void aSessionActsAsItsOwnerOnly() throws Exception {
        TestStack.register(AuthTest.REF, RunResourceTest.SCHEMA);
        String bobs = given().header("Authorization", AuthTest.BOB).contentType("application/json")
                .body("{\"ref\":\"" + AuthTest.REF + "\",\"inputs\":{\"text\":\"bob's\"}}").post("/v1/runs")
                .then().statusCode(202).extract().path("execution_id");
        String cookie = login();
        given().cookie("hangar_session", cookie).header("Origin", origin()).get("/v1/runs/" + bobs).then().statusCode(404)
                .body("code", equalTo("ERR_RUN_NOT_FOUND"));
        given().cookie("hangar_session", cookie).header("Origin", origin()).post("/v1/runs/" + bobs + "/cancel").then().statusCode(404);
        var stream = RunStreamSocketTest.Frames.connectTo(URI.create(base.toString().replaceFirst("^http", "ws") + "v1/runs/" + bobs + "/stream"),
                Map.of("Cookie", "hangar_session=" + cookie, "Origin", origin()));
        stream.closed.get(10, TimeUnit.SECONDS);
        assertEquals("ERR_RUN_NOT_FOUND", stream.frames.get(0).get("code").asText(), "no stream of another owner's run");
    }

    @Test
    void logoutClearsTheCookie() {
        String cookie = login();
        given().cookie("hangar_session", cookie).header("Origin", origin()).delete("/v1/sessions").then().statusCode(204)
                .header("Set-Cookie", containsString("Max-Age=0"));
    }
}
