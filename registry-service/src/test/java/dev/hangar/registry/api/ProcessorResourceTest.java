package dev.hangar.registry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.hangar.contracts.Json;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry REST API against the real PostgreSQL test database and the real OCI registry. */
@QuarkusTest
class ProcessorResourceTest {

    private static final String PATH = "/v1/processors/{ns}/{name}/versions/{version}";
    private static final String PROBLEM = "application/problem+json";

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void cleanTables() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE processor_spec, namespace_owner, pin_override CASCADE");
        }
        Specs.actAs("local");
    }

    @Test
    void registersANewVersionWithAPinnedDigestAndReadsItBack() throws Exception {
        String digest = Specs.debianDigest();
        given().contentType(ContentType.JSON).body(Specs.spec("examples/echo@1", Specs.IMAGE, Map.of("amd64", digest)).toString())
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(201).contentType(ContentType.JSON)
                .body("ref", equalTo("examples/echo@1"))
                .body("image", equalTo(Specs.IMAGE))
                .body("digests.amd64", equalTo(digest))
                .body("runtime.memory_mb", equalTo(256));

        given().when().get(PATH, "examples", "echo", 1)
                .then().statusCode(200)
                .body("ref", equalTo("examples/echo@1"))
                .body("digests.amd64", equalTo(digest))
                .body("inputs_schema.required", contains("text"))
                .body("outputs[0].name", equalTo("output.json"));
    }

    @Test
    void anUpdateAnswers200AndKeepsPinsTheBodyDoesNotMention() throws Exception {
        String digest = Specs.debianDigest();
        given().contentType(ContentType.JSON).body(Specs.spec("examples/echo@2", Specs.IMAGE, Map.of("amd64", digest)).toString())
                .put(PATH, "examples", "echo", 2).then().statusCode(201);

        var changed = Specs.spec("examples/echo@2").put("description", "second push");
        given().contentType(ContentType.JSON).body(changed.toString())
                .when().put(PATH, "examples", "echo", 2)
                .then().statusCode(200)
                .body("description", equalTo("second push"))
                .body("digests.amd64", equalTo(digest));
    }

    @Test
    void listsEveryVersionSortedByRef() {
        for (String ref : new String[] {"zeta/tool@1", "alpha/tool@10", "alpha/tool@2"}) {
            String[] p = ref.split("[/@]");
            given().contentType(ContentType.JSON).body(Specs.spec(ref).toString())
                    .put(PATH, p[0], p[1], p[2]).then().statusCode(201);
        }
        given().when().get("/v1/processors")
                .then().statusCode(200)
                .body("ref", contains("alpha/tool@2", "alpha/tool@10", "zeta/tool@1"));
    }

    @Test
    void theEgressAllowListIsStoredAndABadEntryRefused() {
        var spec = Specs.spec("examples/egress@1");
        spec.putObject("network").putArray("allow").add("api.openai.com:443").add("127.0.0.1:8000");
        given().contentType(ContentType.JSON).body(spec.toString()).put(PATH, "examples", "egress", 1).then().statusCode(201);
        given().when().get(PATH, "examples", "egress", 1)
                .then().statusCode(200).body("network.allow", contains("api.openai.com:443", "127.0.0.1:8000"));

        spec.put("ref", "examples/egress@2").putObject("network").putArray("allow").add("*.openai.com:443");
        given().contentType(ContentType.JSON).body(spec.toString()).put(PATH, "examples", "egress", 2)
                .then().statusCode(422).body("code", equalTo("ERR_SPEC_INVALID")).body("errors.path", hasItems("/network/allow/0"));
    }

    @Test
    void anEmptyRegistryListsNothing() {
        given().when().get("/v1/processors").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void pinsARealDigestPerPlatform() throws Exception {
        String digest = Specs.debianDigest();
        given().contentType(ContentType.JSON).body(Specs.spec("examples/pinned@1").toString())
                .put(PATH, "examples", "pinned", 1).then().statusCode(201).body("digests", anEmptyMap());

        given().contentType(ContentType.JSON).body("{\"digest\":\"" + digest + "\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "pinned", 1, "amd64")
                .then().statusCode(200)
                .body("digests.amd64", equalTo(digest))
                .body("digests.arm64", nullValue());

        given().contentType(ContentType.JSON).body("{\"digest\":\"" + digest + "\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "pinned", 1, "arm64")
                .then().statusCode(200)
                .body("digests.amd64", equalTo(digest))
                .body("digests.arm64", equalTo(digest));

        given().when().get(PATH, "examples", "pinned", 1).then().statusCode(200).body("digests.arm64", equalTo(digest));
    }

    @Test
    void aDigestTheRegistryDoesNotHaveIsRefusedAndNothingIsStored() {
        given().contentType(ContentType.JSON)
                .body(Specs.spec("examples/ghost@1", Specs.IMAGE, Map.of("amd64", Specs.MISSING_DIGEST)).toString())
                .when().put(PATH, "examples", "ghost", 1)
                .then().statusCode(422).contentType(PROBLEM)
                .body("code", equalTo("ERR_DIGEST_NOT_FOUND"))
                .body("status", equalTo(422))
                .body("detail", allOf(containsString(Specs.IMAGE), containsString(Specs.MISSING_DIGEST)));

        given().when().get(PATH, "examples", "ghost", 1).then().statusCode(404).body("code", equalTo("ERR_PROCESSOR_NOT_FOUND"));
    }

    @Test
    void pinningADigestTheRegistryDoesNotHaveLeavesThePinsAlone() {
        given().contentType(ContentType.JSON).body(Specs.spec("examples/ghost@2").toString())
                .put(PATH, "examples", "ghost", 2).then().statusCode(201);

        given().contentType(ContentType.JSON).body("{\"digest\":\"" + Specs.MISSING_DIGEST + "\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "ghost", 2, "amd64")
                .then().statusCode(422).contentType(PROBLEM).body("code", equalTo("ERR_DIGEST_NOT_FOUND"));

        given().when().get(PATH, "examples", "ghost", 2).then().statusCode(200).body("digests", anEmptyMap());
    }

    @Test
    void anUnreachableRegistryIsUnavailable() {
        given().contentType(ContentType.JSON)
                .body(Specs.spec("examples/far@1", "127.0.0.1:1/examples/far", Map.of("amd64", Specs.MISSING_DIGEST)).toString())
                .when().put(PATH, "examples", "far", 1)
                .then().statusCode(503).contentType(PROBLEM)
                .body("code", equalTo("ERR_UNAVAILABLE"))
                .body("detail", containsString("127.0.0.1:1"));
    }

    @Test
    void anInvalidSpecListsEveryFailingPath() {
        var spec = Specs.spec("examples/bad@1").put("image", "Not An Image");
        spec.with("runtime").put("cpu", 0).put("timeout_seconds", 0);
        spec.with("digests").put("sparc", "sha256:nope");
        given().contentType(ContentType.JSON).body(spec.toString())
                .when().put(PATH, "examples", "bad", 1)
                .then().statusCode(422).contentType(PROBLEM)
                .body("code", equalTo("ERR_SPEC_INVALID"))
                .body("errors.path", hasItems("/image", "/runtime/cpu", "/runtime/timeout_seconds", "/digests/sparc"));

        given().when().get(PATH, "examples", "bad", 1).then().statusCode(404);
    }

    @Test
    void malformedJsonIsABadRequest() {
        given().contentType(ContentType.JSON).body("{\"ref\": \"examples/echo@1\", ")
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST"))
                .body("status", equalTo(400))
                .body("detail", startsWith("malformed JSON body"));
    }

    @Test
    void anUnknownPropertyIsABadRequest() {
        var spec = Specs.spec("examples/echo@1").put("colour", "blue");
        given().contentType(ContentType.JSON).body(spec.toString())
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST"))
                .body("detail", containsString("colour"));
    }

    @Test
    void aWronglyTypedPropertyIsABadRequest() {
        var spec = Specs.spec("examples/echo@1");
        spec.with("runtime").put("memory_mb", "lots");
        given().contentType(ContentType.JSON).body(spec.toString())
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void anEmptyBodyIsABadRequest() {
        given().contentType(ContentType.JSON)
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void aWrongContentTypeIsRefusedWithAProblem() {
        given().contentType(ContentType.TEXT).body(Specs.spec("examples/echo@1").toString())
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(415).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST"))
                .body("status", equalTo(415));
    }

    @Test
    void anUnknownRefIsNotFound() {
        given().when().get(PATH, "examples", "nobody", 7)
                .then().statusCode(404).contentType(PROBLEM)
                .body("code", equalTo("ERR_PROCESSOR_NOT_FOUND"))
                .body("detail", containsString("examples/nobody@7"));
    }

    @Test
    void aMalformedRefInThePathIsRefused() {
        given().when().get(PATH, "Examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_REF_INVALID"));
        given().when().get(PATH, "examples", "echo", "latest")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_REF_INVALID"));
        given().contentType(ContentType.JSON).body(Specs.spec("examples/echo@1").toString())
                .when().put(PATH, "examples", "echo", 0)
                .then().statusCode(400).body("code", equalTo("ERR_REF_INVALID"));
    }

    @Test
    void aMalformedRefInTheBodyIsRefused() {
        given().contentType(ContentType.JSON).body(Specs.spec("examples/echo@1").put("ref", "nope").toString())
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_REF_INVALID"));
    }

    @Test
    void aBodyForAnotherRefIsRefused() {
        given().contentType(ContentType.JSON).body(Specs.spec("examples/echo@2").toString())
                .when().put(PATH, "examples", "echo", 1)
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST"))
                .body("detail", allOf(containsString("examples/echo@2"), containsString("examples/echo@1")));
        given().when().get(PATH, "examples", "echo", 1).then().statusCode(404);
    }

    @Test
    void aBadPlatformOrDigestIsRefused() throws Exception {
        given().contentType(ContentType.JSON).body(Specs.spec("examples/plat@1").toString())
                .put(PATH, "examples", "plat", 1).then().statusCode(201);

        given().contentType(ContentType.JSON).body("{\"digest\":\"" + Specs.debianDigest() + "\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "plat", 1, "sparc")
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST"))
                .body("detail", containsString("sparc"));

        given().contentType(ContentType.JSON).body("{\"digest\":\"sha256:ABC\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "plat", 1, "amd64")
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST"))
                .body("errors[0].path", equalTo("/digest"));

        given().contentType(ContentType.JSON).body("{\"digest\":\"" + Specs.debianDigest() + "\",\"platform\":\"amd64\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "plat", 1, "amd64")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void pinningAnUnknownRefIsNotFound() throws Exception {
        given().contentType(ContentType.JSON).body("{\"digest\":\"" + Specs.debianDigest() + "\"}")
                .when().put(PATH + "/digests/{platform}", "examples", "nobody", 1, "amd64")
                .then().statusCode(404).contentType(PROBLEM).body("code", equalTo("ERR_PROCESSOR_NOT_FOUND"));
    }

    @Test
    void anUnknownEndpointIsAProblemToo() {
        given().when().get("/v1/nothing-here")
                .then().statusCode(404).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void theStoredSpecRoundTripsThroughTheContract() throws Exception {
        String digest = Specs.debianDigest();
        String body = given().contentType(ContentType.JSON)
                .body(Specs.spec("examples/trip@3", Specs.IMAGE, Map.of("amd64", digest)).toString())
                .put(PATH, "examples", "trip", 3).then().statusCode(201).extract().asString();
        var spec = Json.read(body, dev.hangar.contracts.ProcessorSpec.class);
        org.junit.jupiter.api.Assertions.assertEquals(Specs.IMAGE + "@" + digest, spec.pinnedImage(dev.hangar.contracts.Platform.AMD64));
    }

    @Test
    void isReadyWhenTheDatabaseIs() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
