package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.contracts.Json;
import dev.hangar.gateway.auth.Authenticator;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gateway's spec cache (docs/adr/0008-spec-cache.md) against the real registry: a change sent
 * through this gateway reaches the very next run, and one made behind its back (another replica)
 * within the TTL. Which spec a run saw shows in its answer: the second schema also requires
 * {@code n}, so a run without it is refused.
 */
@QuarkusTest
class SpecCacheTest {
    private static final String NS = "gwcache-" + Long.toString(System.nanoTime(), 36);
    private static final String TEXT_ONLY = RunResourceTest.SCHEMA;
    static final String TEXT_AND_N = """
            {"type":"object","required":["text","n"],"properties":{"text":{"type":"string"},"n":{"type":"integer"}}}""";

    private static void putThroughGateway(String ref, String schema) throws Exception {
        var spec = TestStack.spec(ref, schema);
        given().contentType("application/json").body(Json.write(spec)).queryParam("override", true)
                .when().put("/v1/processors/" + spec.ref().namespace() + "/" + spec.ref().name() + "/versions/1")
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    /** The status a run of {@code ref} without {@code n} is answered with. */
    private static int submitWithoutN(String ref) {
        return given().contentType("application/json").body("{\"ref\":\"" + ref + "\",\"inputs\":{\"text\":\"hi\"}}")
                .when().post("/v1/runs").statusCode();
    }

    @Test
    void aChangeThroughThisGatewayReachesTheNextRun() throws Exception {
        String ref = NS + "/through@1";
        putThroughGateway(ref, TEXT_ONLY);
        assertEquals(202, submitWithoutN(ref));
        assertEquals(202, submitWithoutN(ref), "the second run, from the cache");
        putThroughGateway(ref, TEXT_AND_N);
        assertEquals(422, submitWithoutN(ref), "the run right after the change must see it");
        putThroughGateway(ref, TEXT_ONLY);
        assertEquals(202, submitWithoutN(ref));
    }

    @Test
    void aChangeBehindItsBackIsSeenWithinTheTtl() throws Exception {
        String ref = NS + "/behind@1";
        putThroughGateway(ref, TEXT_ONLY);
        assertEquals(202, submitWithoutN(ref));
        // as another replica would pass it on: straight to the registry, in the same owner's name
        TestStack.registerAs(Authenticator.LOCAL, true, TestStack.spec(ref, TEXT_AND_N));
        // the TTL is 2 s (the default); a run refused within it shows the cached spec expired
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200)).until(() -> submitWithoutN(ref) == 422);
    }
}
