package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every `hangar run` option through the real stack, with its failure cases. */
class RunnerOptionsIT {
    static final String HELLO = "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}";
    static final String SLOW = "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"slow\"}],\"delay_seconds\":60}}";

    @BeforeAll
    static void push() throws Exception {
        assertEquals(0, Stack.hangar("push", "--override", "examples/processors/echo").exit());
    }

    static Stack.Result echo(String inputs, String... more) throws Exception {
        var args = new java.util.ArrayList<>(List.of("run", "--ref", "examples/echo@1", "--inputs-json", inputs, "--json"));
        args.addAll(List.of(more));
        return Stack.hangar(args.toArray(String[]::new));
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameRun() throws Exception {
        String key = "e2e-" + UUID.randomUUID();
        var first = echo(HELLO, "--idempotency-key", key);
        var second = echo(HELLO, "--idempotency-key", key);
        assertEquals(0, first.exit(), first.err());
        assertEquals(0, second.exit(), second.err());
        assertEquals(first.json().path("execution_id"), second.json().path("execution_id"));
    }

    @Test
    void aDeadlineStopsTheRunAndRemovesItsContainer() throws Exception {
        var run = echo(SLOW, "--timeout", "2");
        assertEquals(1, run.exit(), run.out());
        assertEquals("ERR_TIMEOUT", run.json().path("error").path("code").asText(), run.out());
        assertEquals(List.of(), Stack.managedContainers());
    }

    @Test
    void cancelReachesTheContainer() throws Exception {
        var process = new ProcessBuilder(Stack.ROOT.resolve("bin/hangar").toString(), "run", "--ref", "examples/echo@1",
                "--inputs-json", SLOW, "--json").directory(Stack.ROOT.toFile()).start();
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            var runs = Json.MAPPER.readTree(Stack.get("/v1/runs?limit=20").body());
            for (JsonNode r : runs) {
                if (r.path("status").asText().equals("running") && r.path("ref").asText().equals("examples/echo@1")) {
                    id[0] = r.path("execution_id").asText();
                    return true;
                }
            }
            return false;
        });
        long asked = System.nanoTime();
        var cancel = Stack.hangar("runs", "cancel", id[0]);
        assertEquals(0, cancel.exit(), cancel.err());
        process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        long seconds = (System.nanoTime() - asked) / 1_000_000_000L;
        JsonNode envelope = Json.MAPPER.readTree(process.getInputStream());
        assertEquals("canceled", envelope.path("status").asText(), envelope.toString());
        assertEquals("ERR_CANCELED", envelope.path("error").path("code").asText());
        assertTrue(seconds < 30, "stopped within seconds, not at the 60 s delay: " + seconds);
        assertEquals(1, process.exitValue());
        assertEquals(List.of(), Stack.managedContainers());
        var again = Stack.hangar("runs", "cancel", id[0]);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("ERR_RUN_FINISHED"), again.err());
    }

    @Test
    void adapterOptionsAreValidatedAndApplied() throws Exception {
        var unknown = echo(HELLO, "--adapter-opts-json", "{\"colour\":\"red\"}");
        assertEquals(1, unknown.exit());
        assertEquals("ERR_OPTION_INVALID", unknown.json().path("error").path("code").asText());
        var ok = echo(HELLO, "--adapter-opts-json", "{\"memory_mb\":128,\"cpu\":0.25}");
        assertEquals(0, ok.exit(), ok.err());
    }

    @Test
    void keepContainerLeavesTheStoppedContainerForDebugging() throws Exception {
        var run = echo(HELLO, "--adapter-opts-json", "{\"keep_container\":true}");
        assertEquals(0, run.exit(), run.err());
        String id = run.json().path("execution_id").asText();
        var kept = new ProcessBuilder("docker", "ps", "-a", "--filter", "label=dev.hangar.execution_id=" + id, "--format", "{{.ID}}")
                .start();
        var ids = kept.inputReader().lines().filter(l -> !l.isBlank()).toList();
        kept.waitFor();
        assertEquals(1, ids.size(), "the run's container is kept");
        new ProcessBuilder("docker", "rm", "-f", ids.get(0)).start().waitFor();
    }

    @Test
    void watchAttachesToARunningRunFromAnotherProcess() throws Exception {
        var submit = Stack.HTTP.send(Stack.request("/v1/runs")
                        .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"ref\":\"examples/echo@1\",\"inputs\":{\"schema\":\"v1\",\"params\":{\"messages\":"
                                        + "[{\"role\":\"user\",\"content\":\"watched\"}],\"delay_seconds\":3}}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, submit.statusCode(), submit.body());
        String id = Json.MAPPER.readTree(submit.body()).path("execution_id").asText();
        var watch = Stack.hangar("runs", "watch", id, "--json");
        assertEquals(0, watch.exit(), watch.err());
        assertEquals(id, watch.json().path("execution_id").asText());
        assertEquals("success", watch.json().path("status").asText());
        assertTrue(watch.ndjson().stream().anyMatch(e -> e.path("event").path("type").asText().equals("token")), watch.err());
    }

    @Test
    void aPlanChargesEachRunAndRefusesWhatItCannotAfford() throws Exception {
        String plan = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(0, Stack.hangar("plans", "set", plan, "--limit", "1").exit());
        var run = echo(HELLO, "--plan", plan);
        assertEquals(0, run.exit(), run.err());
        double cost = run.json().path("meta").path("cost").asDouble();
        assertTrue(cost > 0, "the envelope reports its cost: " + run.out());
        assertEquals(plan, run.json().path("meta").path("plan").asText());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode p = Json.MAPPER.readTree(Stack.hangar("plans", "get", plan, "--json").out());
            assertEquals(cost, p.path("spent").asDouble(), 1e-9);
            assertEquals(0.0, p.path("reserved").asDouble(), 1e-9);
        });
        assertEquals(0, Stack.hangar("plans", "set", plan, "--limit", "0").exit());
        var refused = echo(HELLO, "--plan", plan);
        assertEquals(1, refused.exit());
        assertEquals("ERR_BUDGET_EXCEEDED", refused.json().path("error").path("code").asText());
    }

    @Test
    void outputsAreSavedAndVerified(@TempDir Path dir) throws Exception {
        var run = echo(HELLO, "--save-dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode output = run.json().path("outputs").get(0);
        Path saved = dir.resolve("output.json");
        assertTrue(Files.exists(saved), "saved under its relative path");
        byte[] bytes = Files.readAllBytes(saved);
        assertEquals(output.path("cid").asText(), "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        Path first = dir.resolve("first.json");
        assertEquals(0, echo(HELLO, "--save-first", first.toString()).exit());
        assertEquals(new String(bytes), Files.readString(first));
    }

    @Test
    void aCustomWritePrefixIsHonoured() throws Exception {
        var run = echo(HELLO, "--write-prefix", "/artifacts/e2e/custom/{execution_id}/");
        assertEquals(0, run.exit(), run.err());
        String id = run.json().path("execution_id").asText();
        assertEquals("/artifacts/e2e/custom/" + id + "/output.json", run.json().path("outputs").get(0).path("path").asText());
    }

    @Test
    void aPlatformWithoutAPinIsRefused() throws Exception {
        var run = echo(HELLO, "--platform", "arm64");
        assertEquals(1, run.exit());
        assertEquals("ERR_IMAGE_UNPINNED", run.json().path("error").path("code").asText());
    }

    @Test
    void aPlatformTheHostCannotRunIsAClearErrorNotAHang() throws Exception {
        var spec = Json.MAPPER.readTree(Stack.hangar("processors", "get", "examples/echo@1", "--json").out());
        String pinned = spec.path("digests").path("amd64").asText();
        // pin the same (amd64) manifest for arm64 on a copy of echo: this amd64 executor must refuse it
        var copy = (com.fasterxml.jackson.databind.node.ObjectNode) spec.deepCopy();
        copy.put("ref", "e2e/arm-only@1");
        copy.set("digests", Json.MAPPER.createObjectNode().put("arm64", pinned));
        var put = Stack.HTTP.send(Stack.request("/v1/processors/e2e/arm-only/versions/1?override=true").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(copy.toString())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() < 300, put.body());
        var run = Stack.hangar("run", "--ref", "e2e/arm-only@1", "--platform", "arm64", "--inputs-json", HELLO, "--json");
        assertEquals(1, run.exit());
        assertEquals("ERR_PLATFORM_UNSUPPORTED", run.json().path("error").path("code").asText(), run.out());
        assertEquals(List.of(), Stack.managedContainers());
    }

    @Test
    void deprecatedInputsJsonstrStillWorksWithAWarning() throws Exception {
        var run = Stack.hangar("run", "--ref", "examples/echo@1", "--inputs-jsonstr", HELLO, "--json");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("deprecated"), run.err());
    }

    @Test
    void buildIsIgnoredWithAWarningOnRemote() throws Exception {
        var run = echo(HELLO, "--adapter", "remote", "--build");
        assertTrue(run.err().contains("--build"), run.err());
        assertEquals("ERR_ADAPTER_UNAVAILABLE", run.json().path("error").path("code").asText());
    }

    @Test
    void theRefDefaultsToTheProcessorFolderWeAreIn() throws Exception {
        var process = new ProcessBuilder(Stack.ROOT.resolve("bin/hangar").toString(), "run", "--inputs-json", HELLO, "--json")
                .directory(Stack.ROOT.resolve("examples/processors/echo").toFile()).start();
        JsonNode envelope = Json.MAPPER.readTree(process.getInputStream());
        assertEquals(0, process.waitFor());
        assertEquals("examples/echo@1", envelope.path("meta").path("ref").asText());
    }

    @Test
    void withoutJsonAPipeGetsPlainLinesAndASummary() throws Exception {
        var run = Stack.hangar("run", "--ref", "examples/echo@1", "--inputs-json", HELLO);
        assertEquals(0, run.exit(), run.err());
        assertFalse(run.out().contains("\r") || run.out().contains("\u001b["), "no terminal control codes in a pipe");
        assertFalse(run.err().contains("\r") || run.err().contains("\u001b["), "no terminal control codes in a pipe");
        assertTrue(run.out().contains("success"), run.out());
    }
}
