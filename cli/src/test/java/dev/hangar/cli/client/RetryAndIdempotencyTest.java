package dev.hangar.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.hangar.cli.CliRunner;
import dev.hangar.cli.client.FlakyGateway.Answer;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.RunRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GatewayClient's retry and idempotency against a real HTTP server on 127.0.0.1 that fails as
 * scripted and counts what it got, driven through the real command tree where a command does it.
 */
class RetryAndIdempotencyTest {
    static final Answer CANCELING = Answer.of(202, "{\"execution_id\":\"run-1\",\"status\":\"canceling\"}");
    static final Answer QUEUED = Answer.of(202, "{\"execution_id\":\"run-1\",\"status\":\"queued\","
            + "\"run_url\":\"http://127.0.0.1:1/v1/runs/run-1\",\"stream_url\":\"ws://127.0.0.1:1/v1/runs/run-1/stream\"}");
    static final Answer UNAVAILABLE = Answer.problem(503, "ERR_UNAVAILABLE");

    static CliRunner.Result cancel(FlakyGateway gateway, String... globalFirst) {
        var args = new java.util.ArrayList<>(List.of(globalFirst));
        args.addAll(List.of("--base-url", gateway.url(), "--api-key", "k", "runs", "cancel", "run-1"));
        return CliRunner.run(args.toArray(String[]::new));
    }

    static String lastLine(String text) {
        var lines = text.strip().lines().toList();
        return lines.getLast();
    }

    @Test
    void aPostThatFailsTwiceIsSentThreeTimesWithOneIdempotencyKey() throws Exception {
        try (var gateway = FlakyGateway.failing(2, UNAVAILABLE, CANCELING)) {
            var r = cancel(gateway);
            assertEquals(0, r.exit(), r::toString);
            var seen = gateway.seen();
            assertEquals(3, seen.size(), seen::toString);
            String key = seen.getFirst().header(GatewayClient.IDEMPOTENCY_HEADER);
            assertNotNull(key);
            assertTrue(RunRequest.IDEMPOTENCY_KEY.matcher(key).matches(), key);
            seen.forEach(s -> assertEquals(key, s.header(GatewayClient.IDEMPOTENCY_HEADER), "the same key on every retry"));
            seen.forEach(s -> assertEquals("POST", s.method()));
        }
    }

    @Test
    void everyTransientStatusAndAConnectionErrorIsRetried() throws Exception {
        for (int status : new int[] {408, 429, 500, 502, 503, 504}) {
            try (var gateway = FlakyGateway.failing(1, Answer.of(status, ""), CANCELING)) {
                var r = cancel(gateway);
                assertEquals(0, r.exit(), status + ": " + r);
                assertEquals(2, gateway.seen().size(), "status " + status);
            }
        }
    }

    @Test
    void aUserErrorIsNeverRetriedAndSaysCheckYourInputs() throws Exception {
        for (Answer refusal : List.of(Answer.problem(400, "ERR_BAD_REQUEST"), Answer.problem(404, "ERR_RUN_NOT_FOUND"),
                Answer.problem(422, "ERR_INPUT_INVALID"), Answer.of(400, "not json"),
                // a 5xx whose code says the input must change: trying again cannot help
                Answer.problem(502, "ERR_PROCESSOR_FAILED"))) {
            try (var gateway = FlakyGateway.failing(1, refusal, CANCELING)) {
                var r = cancel(gateway);
                assertEquals(1, r.exit(), r::toString);
                assertEquals(1, gateway.seen().size(), "not retried: " + refusal);
                assertTrue(lastLine(r.err()).endsWith("check your inputs"), r::toString);
            }
        }
    }

    @Test
    void aFailureThatLastsGivesUpAfterTheAttemptsAndSaysConsiderRetrying() throws Exception {
        try (var gateway = FlakyGateway.failing(100, UNAVAILABLE, CANCELING)) {
            var r = cancel(gateway);
            assertEquals(1, r.exit(), r::toString);
            assertEquals(RetryPolicy.DEFAULT.maxAttempts(), gateway.seen().size());
            assertTrue(r.err().startsWith("error: ERR_UNAVAILABLE: scripted ERR_UNAVAILABLE (5 attempts)"), r::toString);
            assertTrue(lastLine(r.err()).endsWith("consider retrying"), r::toString);
        }
    }

    @Test
    void theWaitsGrowWithJitterWithinTheCap() throws Exception {
        try (var gateway = FlakyGateway.failing(100, UNAVAILABLE, CANCELING)) {
            cancel(gateway);
            var seen = gateway.seen();
            for (int i = 1; i < seen.size(); i++) {
                long gapMs = (seen.get(i).atNanos() - seen.get(i - 1).atNanos()) / 1_000_000;
                long full = Math.min(RetryPolicy.DEFAULT.maxDelay().toMillis(), RetryPolicy.DEFAULT.initialDelay().toMillis() << (i - 1));
                assertTrue(gapMs >= full / 2, "wait " + i + " was " + gapMs + " ms, at least " + full / 2);
                assertTrue(gapMs < full + 1000, "wait " + i + " was " + gapMs + " ms, about " + full + " at most");
            }
        }
    }

    @Test
    void retryAfterIsWaitedInFull() throws Exception {
        try (var gateway = FlakyGateway.failing(1, Answer.problem(429, "ERR_RATE_LIMITED").withHeader("Retry-After", "1"), CANCELING)) {
            var r = cancel(gateway);
            assertEquals(0, r.exit(), r::toString);
            var seen = gateway.seen();
            assertEquals(2, seen.size());
            long gapMs = (seen.get(1).atNanos() - seen.get(0).atNanos()) / 1_000_000;
            assertTrue(gapMs >= 1000, "waited " + gapMs + " ms of the 1 s Retry-After");
        }
    }

    @Test
    void aRetryAfterBeyondTheTimeoutStopsAtOnceAndSaysHowLongToWait() throws Exception {
        try (var gateway = FlakyGateway.failing(1, Answer.problem(429, "ERR_RATE_LIMITED").withHeader("Retry-After", "30"), CANCELING)) {
            long start = System.nanoTime();
            var r = cancel(gateway, "--timeout", "2000");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, r.exit(), r::toString);
            assertEquals(1, gateway.seen().size());
            assertTrue(tookMs < 2000, "gave up in " + tookMs + " ms");
            assertTrue(r.err().contains("the gateway asks to wait 30 s"), r::toString);
            assertTrue(lastLine(r.err()).endsWith("consider retrying"), r::toString);
        }
    }

    @Test
    void theTimeoutBoundsASlowAnswer() throws Exception {
        try (var gateway = FlakyGateway.failing(100, CANCELING.delayed(5000), CANCELING)) {
            long start = System.nanoTime();
            var r = cancel(gateway, "--timeout", "700");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, r.exit(), r::toString);
            assertTrue(tookMs < 3000, "gave up after " + tookMs + " ms");
            assertTrue(r.err().contains("gave no answer in time to POST /v1/runs/run-1/cancel (the timeout is 700 ms"), r::toString);
            assertTrue(lastLine(r.err()).endsWith("consider retrying"), r::toString);
        }
    }

    @Test
    void getsAreRetriedToo() throws Exception {
        try (var gateway = FlakyGateway.failing(1, Answer.of(500, ""), Answer.of(200, "[]"))) {
            var r = CliRunner.run("runs", "list", "--base-url", gateway.url(), "--api-key", "k", "--json");
            assertEquals(0, r.exit(), r::toString);
            assertEquals(2, gateway.seen().size());
            assertEquals(null, gateway.seen().getFirst().header(GatewayClient.IDEMPOTENCY_HEADER), "a GET needs no key");
        }
    }

    @Test
    void aSubmissionCarriesItsKeyInTheBodyAndTheHeaderAndEachPostHasItsOwn() throws Exception {
        try (var gateway = FlakyGateway.failing(1, UNAVAILABLE, QUEUED);
             var client = new GatewayClient(URI.create(gateway.url()), "k")) {
            var request = new RunRequest("examples/echo@1", Adapter.LOCAL, Mode.MOCK, null, null, JsonNodeFactory.instance.objectNode(),
                    null, null, null, null, null, null);
            var submitted = client.submit(request);
            assertEquals("run-1", submitted.accepted().executionId());
            var seen = gateway.seen();
            assertEquals(2, seen.size());
            String key = seen.get(0).header(GatewayClient.IDEMPOTENCY_HEADER);
            for (var s : seen) {
                assertEquals(key, s.header(GatewayClient.IDEMPOTENCY_HEADER));
                assertEquals(key, Json.MAPPER.readTree(s.body()).path("idempotency_key").asText(), "the body says the same");
            }
            client.submit(request);
            String second = gateway.seen().get(2).header(GatewayClient.IDEMPOTENCY_HEADER);
            assertNotEquals(key, second, "a second logical POST of the invocation is a new request");
        }
    }

    @Test
    void aKeyTheUserGaveIsTheOneSent() throws Exception {
        try (var gateway = FlakyGateway.failing(0, UNAVAILABLE, QUEUED);
             var client = new GatewayClient(URI.create(gateway.url()), "k")) {
            client.submit(new RunRequest("examples/echo@1", Adapter.LOCAL, Mode.MOCK, null, null, JsonNodeFactory.instance.objectNode(),
                    null, null, null, "nightly:1", null, null));
            assertEquals("nightly:1", gateway.seen().getFirst().header(GatewayClient.IDEMPOTENCY_HEADER));
        }
    }

    @Test
    void aCancelWhoseFirstAttemptWentThroughStillSucceeds() throws Exception {
        // attempt 1: the cancel was done but its answer lost (503); attempt 2: "already ended"; the run says canceled
        Answer finished = Answer.problem(409, "ERR_RUN_FINISHED");
        Answer run = Answer.of(200, "{\"execution_id\":\"run-1\",\"status\":\"canceled\"}");
        try (var gateway = new FlakyGateway(n -> n == 1 ? UNAVAILABLE : n == 2 ? finished : run)) {
            var r = cancel(gateway);
            assertEquals(0, r.exit(), r::toString);
            assertEquals(List.of("POST", "POST", "GET"), gateway.seen().stream().map(FlakyGateway.Seen::method).toList());
        }
        try (var gateway = FlakyGateway.failing(1, finished, CANCELING)) {
            assertEquals(1, cancel(gateway).exit(), "a run that had ended before: the cancel fails");
        }
    }

    @Test
    void aTokenWhoseFirstAnswerWasLostIsRevokedAndMadeAgainSoOneIsLeft() throws Exception {
        String made = "{\"id\":\"tok_1\",\"owner\":\"me\",\"name\":\"ci\",\"scopes\":[\"read\"],\"created_at\":\"2026-12-01T00:00:00Z\"";
        Answer existing = Answer.of(200, made + "}");
        Answer fresh = Answer.of(201, made.replace("tok_1", "tok_2") + ",\"token\":\"hgr_secret\"}");
        try (var gateway = new FlakyGateway(n -> switch (n) {
            case 1 -> UNAVAILABLE;      // the token was made, the answer lost
            case 2 -> existing;         // the retry, same key: that token, no secret
            case 3 -> Answer.of(204, ""); // DELETE /v1/tokens/tok_1
            default -> fresh;
        })) {
            var r = CliRunner.run("tokens", "create", "ci", "--scope", "read", "--base-url", gateway.url(), "--api-key", "k");
            assertEquals(0, r.exit(), r::toString);
            assertEquals("hgr_secret", r.out().strip());
            var seen = gateway.seen();
            assertEquals(List.of("POST /v1/tokens", "POST /v1/tokens", "DELETE /v1/tokens/tok_1", "POST /v1/tokens"),
                    seen.stream().map(s -> s.method() + " " + s.path()).toList());
            String key = seen.get(0).header(GatewayClient.IDEMPOTENCY_HEADER);
            assertEquals(key, seen.get(1).header(GatewayClient.IDEMPOTENCY_HEADER));
            assertNotEquals(key, seen.get(3).header(GatewayClient.IDEMPOTENCY_HEADER), "the new token is a new request");
        }
    }

    @Test
    void aRefusedKeySaysWhereItCameFromAndToLogIn() throws Exception {
        try (var gateway = FlakyGateway.failing(5, Answer.problem(401, "ERR_UNAUTHORIZED"), CANCELING)) {
            var r = cancel(gateway);
            assertEquals(1, r.exit(), r::toString);
            assertEquals(1, gateway.seen().size(), "a refused key is not retried");
            assertTrue(r.err().contains("the gateway refused the API key from --api-key: check the key, or run `hangar login`"),
                    r::toString);
            assertTrue(lastLine(r.err()).endsWith("check your inputs"), r::toString);
        }
    }

    @Test
    void anUnreachableGatewayIsRetriedThenSaysConsiderRetrying() {
        var r = CliRunner.run("runs", "get", "x", "--base-url", CliRunner.closedUrl());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("connection refused"), r::toString);
        assertTrue(r.err().contains(RetryPolicy.DEFAULT.maxAttempts() + " attempts"), r::toString);
        assertTrue(lastLine(r.err()).endsWith("consider retrying"), r::toString);
    }

    @Test
    void theCommandsFlagBeatsTheGlobalFlagAndTheOldSpellingsWork() throws Exception {
        try (var gateway = FlakyGateway.failing(0, UNAVAILABLE, Answer.of(200, "[]"))) {
            // secrets list: one request per command (runs list also asks for training runs)
            CliRunner.run("--api-key", "global", "--base-url", gateway.url(), "secrets", "list");
            CliRunner.run("--api-key", "global", "secrets", "list", "--base-url", gateway.url(), "--api-key", "own");
            CliRunner.run("secrets", "list", "--url", gateway.url(), "--token", "old");
            CliRunner.run("--url", gateway.url(), "--token", "old-global", "secrets", "list");
            assertEquals(List.of("Bearer global", "Bearer own", "Bearer old", "Bearer old-global"),
                    gateway.seen().stream().map(s -> s.header("Authorization")).toList());
        }
    }

    @Test
    void theGlobalTimeoutReachesRunWhoseOwnTimeoutIsTheRunsDeadline() throws Exception {
        try (var gateway = FlakyGateway.failing(100, QUEUED.delayed(5000), QUEUED)) {
            long start = System.nanoTime();
            var r = CliRunner.run("--timeout", "600", "run", "--base-url", gateway.url(), "--ref", "examples/echo@1",
                    "--timeout", "60", "--json");
            assertTrue((System.nanoTime() - start) / 1_000_000 < 3000, r::toString);
            assertEquals(1, r.exit(), r::toString);
            assertEquals(60, Json.MAPPER.readTree(gateway.seen().getFirst().body()).path("timeout_seconds").asInt());
        }
    }

    @Test
    void clientSettingsComeFromTheResolvedConfig() {
        var client = GatewayClient.of(dev.hangar.cli.config.CliConfig.resolve("http://127.0.0.1:1", "k", 1234L));
        assertEquals(Duration.ofMillis(1234), client.settings().timeout());
        assertEquals("--api-key", client.settings().tokenSource());
        client.close();
        var e = assertThrows(CliError.class, () -> dev.hangar.cli.config.CliConfig.resolve(null, null, 0L));
        assertEquals(ErrorCode.ERR_OPTION_INVALID.name(), e.code());
    }
}
