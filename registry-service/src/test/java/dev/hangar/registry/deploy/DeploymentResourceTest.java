package dev.hangar.registry.deploy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorRef;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deployments as the gateway (and an attacker behind it) drives them: digest form only, the
 * digest must be the ref's pin and in the OCI registry, only the namespace's owners deploy or
 * read, and executor events move the status by the transition table.
 */
@QuarkusTest
class DeploymentResourceTest {
    private static final String IMAGE = "127.0.0.1:5000/base/debian";
    private static final String TOKEN = InternalAuth.FALLBACK_TOKEN;
    private String digest;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void register() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE processor_spec, namespace_owner, pin_override, deployment, deployment_event, deployment_report CASCADE");
        }
        digest = manifestDigest("base/debian", "bookworm");
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.put("ref", "alice-ns/tool@1").put("description", "t").put("image", IMAGE);
        spec.putObject("digests").put("amd64", digest);
        spec.putObject("runtime").put("cpu", 1.0).put("memory_mb", 256).put("gpus", 0).put("timeout_seconds", 60);
        spec.putArray("secrets").add("API_KEY");
        spec.putObject("inputs_schema").put("type", "object");
        spec.putArray("outputs").addObject().put("name", "output.json").put("mime", "application/json");
        as("alice").contentType(ContentType.JSON).body(spec.toString())
                .put("/v1/processors/alice-ns/tool/versions/1").then().statusCode(201);
    }

    private static RequestSpecification as(String owner) {
        return given().header(InternalAuth.TOKEN_HEADER, TOKEN).header(InternalAuth.OWNER_HEADER, owner).contentType(ContentType.JSON);
    }

    private static String request(String env, String oci, String branch) {
        return Json.write(new Deploy.Request("alice-ns/tool@1", env, oci, 1, null, branch));
    }

    @Test
    void anOwnerDeploysByDigestAndEachEnvironmentHasItsName() {
        as("alice").body(request("prod", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(200)
                .body("name", equalTo("alice-ns-tool-v1")).body("digest", equalTo(digest)).body("status", equalTo("requested"))
                .body("min_warm", equalTo(1)).body("owner", equalTo("alice"));
        as("alice").body(request("dev", IMAGE + "@" + digest, "feature/x")).post("/v1/deployments").then().statusCode(200)
                .body("name", equalTo("alice-ns-tool-dev-feature-x-alice"));
        as("alice").get("/v1/deployments/prod/alice-ns-tool-v1").then().statusCode(200).body("image", equalTo(IMAGE + "@" + digest));
        as("alice").queryParam("ref", "alice-ns/tool@1").queryParam("env", "dev").get("/v1/deployments").then().statusCode(200)
                .body("$", hasSize(1));
    }

    @Test
    void aTagIsRefusedShowingTheDigestForm() {
        as("alice").body(request("prod", IMAGE + ":bookworm", null)).post("/v1/deployments").then().statusCode(400)
                .body("code", equalTo("ERR_OPTION_INVALID")).body("detail", containsString(IMAGE + "@sha256:<64 hex digits>"));
        as("alice").body(request("qa", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(400)
                .body("code", equalTo("ERR_OPTION_INVALID")).body("detail", containsString("dev, staging, prod"));
    }

    @Test
    void aDigestThatIsNotThePinIsAMismatchNamingBoth() throws Exception {
        String other = manifestDigest("base/python", "3.11-bookworm");
        as("alice").body(request("prod", IMAGE + "@" + other, null)).post("/v1/deployments").then().statusCode(409)
                .body("code", equalTo("ERR_REGISTRY_MISMATCH")).body("detail", containsString(digest))
                .body("detail", containsString(other));
        as("alice").get("/v1/deployments/prod/alice-ns-tool-v1").then().statusCode(404).body("code", equalTo("ERR_DEPLOYMENT_NOT_FOUND"));
    }

    @Test
    void anotherOwnerCannotDeployReadVerifyOrListTheNamespace() {
        as("alice").body(request("staging", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(200);
        as("bob").body(request("staging", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(403)
                .body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").get("/v1/deployments/staging/alice-ns-tool-v1").then().statusCode(403).body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as("bob").body("{\"oci\":\"" + IMAGE + "@" + digest + "\"}").post("/v1/deployments/staging/alice-ns-tool-v1/verify")
                .then().statusCode(403);
        as("bob").get("/v1/deployments/staging/alice-ns-tool-v1/events").then().statusCode(403);
        as("bob").queryParam("ref", "alice-ns/tool@1").queryParam("env", "staging").get("/v1/deployments").then().statusCode(403);
        // and bob's attempt did not re-bind or re-own it
        as("alice").get("/v1/deployments/staging/alice-ns-tool-v1").then().statusCode(200).body("owner", equalTo("alice"));
        given().contentType(ContentType.JSON).body(request("staging", IMAGE + "@" + digest, null)).post("/v1/deployments")
                .then().statusCode(401);
    }

    @Test
    void verifyComparesTheBoundDigestAndAsksTheOciRegistry() throws Exception {
        as("alice").body(request("prod", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(200);
        as("alice").body("{\"oci\":\"" + IMAGE + "@" + digest + "\"}").post("/v1/deployments/prod/alice-ns-tool-v1/verify")
                .then().statusCode(200).body("match", equalTo(true)).body("oci_has_manifest", equalTo(true));
        String missing = "sha256:" + "0123456789abcdef".repeat(4);
        as("alice").body("{\"oci\":\"" + IMAGE + "@" + missing + "\"}").post("/v1/deployments/prod/alice-ns-tool-v1/verify")
                .then().statusCode(200).body("match", equalTo(false)).body("deployed_digest", equalTo(digest))
                .body("given_digest", equalTo(missing)).body("oci_has_manifest", equalTo(false));
    }

    @Test
    void executorEventsMoveTheStatusAndShowWhereItIs() {
        as("alice").body(request("prod", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(200);
        var ref = ProcessorRef.parse("alice-ns/tool@1");
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        post(new Deploy.Event(1, "alice-ns-tool-v1", ref, "prod", Deploy.EventType.DEPLOYED, digest, 0, "ex-1", "pulled", t0));
        post(new Deploy.Event(1, "alice-ns-tool-v1", ref, "prod", Deploy.EventType.VERIFIED, digest, 1, "ex-1", "1 warm", t0.plusSeconds(5)));
        // a late event about another digest is kept in the log but moves nothing
        post(new Deploy.Event(1, "alice-ns-tool-v1", ref, "prod", Deploy.EventType.FAILED, "sha256:" + "9".repeat(64), 0, "ex-2", "old",
                t0.plusSeconds(6)));
        as("alice").get("/v1/deployments/prod/alice-ns-tool-v1").then().statusCode(200).body("status", equalTo("verified"))
                .body("executors", hasSize(1)).body("executors[0].executor_id", equalTo("ex-1"))
                .body("executors[0].warm", equalTo(1)).body("executors[0].since", equalTo("2026-12-01T10:00:00Z"));
        as("alice").queryParam("since", "2026-12-01T10:00:01Z").get("/v1/deployments/prod/alice-ns-tool-v1/events")
                .then().statusCode(200).body("$", hasSize(2)).body("[0].type", equalTo("verified"));
    }

    @Test
    void aRepeatedReportOnlyRefreshesAndASilentExecutorIsUnhealthyWithItsWarmNotCounted() throws Exception {
        as("alice").body(request("staging", IMAGE + "@" + digest, null)).post("/v1/deployments").then().statusCode(200);
        var ref = ProcessorRef.parse("alice-ns/tool@1");
        Instant t0 = Instant.now();
        post(new Deploy.Event(1, "alice-ns-tool-v1", ref, "staging", Deploy.EventType.VERIFIED, digest, 1, "ex-1", "1 warm", t0));
        for (int i = 1; i <= 3; i++) { // the executor's periodic reports
            post(new Deploy.Event(1, "alice-ns-tool-v1", ref, "staging", Deploy.EventType.VERIFIED, digest, 1, "ex-1", "1 warm",
                    t0.plusSeconds(i)));
        }
        as("alice").get("/v1/deployments/staging/alice-ns-tool-v1/events").then().statusCode(200).body("$", hasSize(1));
        as("alice").get("/v1/deployments/staging/alice-ns-tool-v1").then().statusCode(200).body("warm", equalTo(1))
                .body("health", equalTo("healthy")).body("executors[0].health", equalTo("healthy"))
                .body("executors[0].reported_at", org.hamcrest.Matchers.notNullValue());

        // the executor falls silent (killed): 31 s later, by the database's clock, nobody vouches for its container
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE deployment_report SET reported_at = now() - interval '31 seconds' WHERE executor_id = 'ex-1'");
        }
        as("alice").get("/v1/deployments/staging/alice-ns-tool-v1").then().statusCode(200).body("status", equalTo("verified"))
                .body("warm", equalTo(0)).body("health", equalTo("unhealthy"))
                .body("executors[0].health", equalTo("unhealthy")).body("executors[0].warm", equalTo(1));

        // it reports again with a container fewer: a change, logged, and degraded
        post(new Deploy.Event(1, "alice-ns-tool-v1", ref, "staging", Deploy.EventType.VERIFIED, digest, 0, "ex-1", "0 warm",
                t0.plusSeconds(40)));
        as("alice").get("/v1/deployments/staging/alice-ns-tool-v1").then().statusCode(200).body("health", equalTo("degraded"))
                .body("executors[0].health", equalTo("degraded"));
        as("alice").get("/v1/deployments/staging/alice-ns-tool-v1/events").then().statusCode(200).body("$", hasSize(2));
    }

    private static void post(Deploy.Event event) {
        given().header(InternalAuth.TOKEN_HEADER, TOKEN).contentType(ContentType.JSON).body(Json.write(event))
                .post("/v1/deployments/events").then().statusCode(204);
    }

    static String manifestDigest(String repo, String tag) throws IOException, InterruptedException {
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v2/" + repo + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
                        + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json")
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(head, HttpResponse.BodyHandlers.discarding()).headers().firstValue("Docker-Content-Digest").orElseThrow();
        }
    }
}
