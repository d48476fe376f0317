package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.CliRunner;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code hangar deploy …} against a gateway that answers as the real one does: the digest form is
 * checked before any request, verify-digest exits 1 with both digests on a mismatch, and
 * sync-secrets sends only the names the spec requires and stores nothing when one is missing
 * under --fail-on-missing; no value is ever printed.
 */
class DeployCommandTest {
    static final String IMAGE = "127.0.0.1:5000/examples/echo";
    static final String DEPLOYED = "sha256:" + "1".repeat(64);
    static final String OTHER = "sha256:" + "2".repeat(64);
    static final String CANARY = "canary-value-9f3";

    HttpServer server;
    String url;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> keys = new CopyOnWriteArrayList<>();

    @BeforeEach
    void gateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/deployments/verify", ex -> {
            var req = Json.read(body(ex), Deploy.VerifyRequest.class);
            String given = Deploy.OciRef.parse(req.oci()).digest();
            reply(ex, 200, new Deploy.VerifyReport(ProcessorRef.parse(req.ref()), req.env(), "examples-echo-v1", given.equals(DEPLOYED),
                    DEPLOYED, given, true));
        });
        server.createContext("/v1/deployments/secrets", ex -> {
            var sync = Json.read(body(ex), Deploy.SecretSync.class);
            var missing = List.of("API_KEY", "HF_TOKEN").stream().filter(n -> !sync.values().containsKey(n)).toList();
            var given = sync.values().keySet().stream().sorted().toList();
            reply(ex, 200, new Deploy.SecretReport(ProcessorRef.parse(sync.ref()), sync.env(), !Boolean.TRUE.equals(sync.check()),
                    List.of("API_KEY", "HF_TOKEN"), given, List.of(), List.of(), missing, List.of(), List.of()));
        });
        server.createContext("/v1/deployments", ex -> {
            var req = Json.read(body(ex), Deploy.Request.class);
            var oci = Deploy.OciRef.parse(req.oci());
            reply(ex, 202, new Deploy.Deployment("examples-echo-dev-" + req.branch() + "-alice", ProcessorRef.parse(req.ref()), req.env(),
                    oci.toString(), oci.digest(), req.minWarm(), null, "alice", Deploy.Status.REQUESTED, Instant.EPOCH, Instant.EPOCH,
                    List.of()));
        });
        server.createContext("/v1/processors/examples/echo/versions/1", ex -> {
            body(ex);
            reply(ex, 200, Json.MAPPER.readTree("{\"ref\":\"examples/echo@1\",\"image\":\"" + IMAGE + "\",\"digests\":{\"amd64\":\""
                    + DEPLOYED + "\"},\"secrets\":[\"API_KEY\",\"HF_TOKEN\"],\"inputs_schema\":{\"type\":\"object\"}}"));
        });
        server.createContext("/v1/runs", ex -> {
            body(ex);
            reply(ex, 400, Json.MAPPER.readTree("{\"code\":\"ERR_BAD_REQUEST\",\"title\":\"t\",\"detail\":\"stop here\"}"));
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String body(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        bodies.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + body);
        keys.add(String.valueOf(ex.getRequestHeaders().getFirst("Idempotency-Key")));
        return body;
    }

    private static void reply(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = Json.write(value).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    void aRunInADeployEnvironmentSendsItsEnvironment() {
        // the idempotency key the CLI adds must not drop it: the run would run outside the environment
        var r = CliRunner.run("run", "--ref", "examples/echo@1", "--deploy-env", "staging", "--mode", "real", "--url", url);
        assertEquals(1, r.exit(), r::toString);
        var post = bodies.stream().filter(b -> b.startsWith("POST /v1/runs ")).findFirst().orElseThrow();
        assertTrue(post.contains("\"env\":\"staging\"") && post.contains("\"idempotency_key\""), post);
    }

    @Test
    void aTagIsRefusedBeforeAnyRequestShowingTheDigestForm() {
        var r = CliRunner.run("deploy", "--ref", "examples/echo@1", "--env", "prod", "--oci", IMAGE + ":latest", "--url", url);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("ERR_OPTION_INVALID"), r::toString);
        assertTrue(r.err().contains(IMAGE + "@sha256:<64 hex digits>"), r::toString);
        var env = CliRunner.run("deploy", "--ref", "examples/echo@1", "--env", "qa", "--oci", IMAGE + "@" + DEPLOYED, "--url", url);
        assertTrue(env.exit() == 1 && env.err().contains("dev, staging, prod"), env::toString);
        assertTrue(bodies.isEmpty(), String.valueOf(bodies));
    }

    @Test
    void aDevDeployNamesItsBranchAndCarriesAnIdempotencyKey() {
        var r = CliRunner.run("deploy", "--ref", "examples/echo@1", "--env", "dev", "--branch", "feature-x", "--oci", IMAGE + "@" + DEPLOYED,
                "--min-warm", "1", "--json", "--url", url);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("examples-echo-dev-feature-x-alice"), r::toString);
        assertTrue(bodies.get(0).contains("\"branch\":\"feature-x\"") && bodies.get(0).contains("\"min_warm\":1"), bodies::toString);
        assertFalse(keys.get(0).equals("null"), "a POST carries an Idempotency-Key");
    }

    @Test
    void verifyDigestExitsZeroOnAMatchAndOneWithBothDigestsOnAMismatch() {
        var ok = CliRunner.run("deploy", "verify-digest", "--ref", "examples/echo@1", "--env", "prod", "--oci", IMAGE + "@" + DEPLOYED,
                "--url", url);
        assertEquals(0, ok.exit(), ok::toString);
        assertEquals(true, Json.read(ok.out(), Deploy.VerifyReport.class).match());
        var bad = CliRunner.run("deploy", "verify-digest", "--ref", "examples/echo@1", "--env", "prod", "--oci", IMAGE + "@" + OTHER,
                "--url", url);
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("ERR_REGISTRY_MISMATCH") && bad.err().contains(DEPLOYED) && bad.err().contains(OTHER), bad::toString);
        var report = Json.read(bad.out(), Deploy.VerifyReport.class);
        assertEquals(DEPLOYED, report.deployedDigest());
        assertEquals(OTHER, report.givenDigest());
    }

    @Test
    void syncSecretsSendsOnlyTheSpecsNamesAndWithFailOnMissingStoresNothing() {
        var r = CliRunner.run(cli -> ((DeploySyncSecretsCommand) cli.getSubcommands().get("deploy").getSubcommands().get("sync-secrets")
                        .getCommand()).env = Map.of("API_KEY", CANARY, "UNRELATED", "do-not-send"),
                "deploy", "sync-secrets", "--ref", "examples/echo@1", "--env", "staging", "--fail-on-missing", "--url", url);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("ERR_MISSING_SECRET") && r.err().contains("HF_TOKEN"), r::toString);
        assertFalse(r.out().contains(CANARY) || r.err().contains(CANARY), "no value is printed: " + r);
        var syncs = bodies.stream().filter(b -> b.startsWith("POST /v1/deployments/secrets")).toList();
        assertEquals(1, syncs.size(), "only the check went out: " + bodies);
        assertTrue(syncs.get(0).contains("\"check\":true"), syncs::toString);
        assertFalse(bodies.stream().anyMatch(b -> b.contains("do-not-send")), "only the names the spec requires are sent");
        assertNotNull(syncs.get(0));

        bodies.clear();
        var applied = CliRunner.run(cli -> ((DeploySyncSecretsCommand) cli.getSubcommands().get("deploy").getSubcommands()
                        .get("sync-secrets").getCommand()).env = Map.of("API_KEY", CANARY, "HF_TOKEN", "hf"),
                "deploy", "sync-secrets", "--ref", "examples/echo@1", "--env", "staging", "--fail-on-missing", "--url", url);
        assertEquals(0, applied.exit(), applied::toString);
        assertTrue(applied.out().contains("added: API_KEY, HF_TOKEN"), applied::toString);
        assertFalse(applied.out().contains(CANARY), applied::toString);
        assertTrue(bodies.stream().filter(b -> b.startsWith("POST /v1/deployments/secrets")).anyMatch(b -> b.contains("\"check\":false")),
                bodies::toString);
    }

    @Test
    void logsSinceTakesAnInstantOrADuration() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        assertEquals(Instant.parse("2026-12-01T09:50:00Z"), DeployLogsCommand.since("10m", now));
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), DeployLogsCommand.since("2026-12-01T08:00:00Z", now));
        var r = CliRunner.run("deploy", "logs", "--ref", "examples/echo@1", "--env", "prod", "--since", "yesterday", "--url", url);
        assertTrue(r.exit() == 1 && r.err().contains("ERR_OPTION_INVALID"), r::toString);
    }
}
