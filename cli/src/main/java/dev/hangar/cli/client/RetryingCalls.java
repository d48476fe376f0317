package dev.hangar.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * One logical gateway call, sent again while its failure is transient ({@link RetryPolicy}) and
 * time is left ({@link GatewayClient.Settings#timeout()}): the part of {@link GatewayClient} that
 * every endpoint method shares, so each of those stays a few lines.
 */
final class RetryingCalls {
    private final HttpClient http;
    private final URI base;
    private final GatewayClient.Settings settings;

    RetryingCalls(HttpClient http, URI base, GatewayClient.Settings settings) {
        this.http = http;
        this.base = base;
        this.settings = settings;
    }

    /**
     * The last answer to one logical call, after how many attempts; {@code error} is the body of a
     * non-2xx answer (read as text), null on success.
     */
    record Reply<T>(HttpResponse<T> response, int attempts, String error) {
        boolean failed() {
            return response.statusCode() / 100 != 2;
        }
    }

    /**
     * Sends the request {@code build} makes (given the time left, for its answer deadline when
     * {@code bounded}) until an answer is not transient, the policy's attempts are used up, or the
     * deadline would pass during the next wait. A connection failure on the last attempt is a
     * {@link CliError} that says how often it was tried.
     */
    <T> Reply<T> call(String method, String path, Function<Duration, HttpRequest> build, HttpResponse.BodyHandler<T> handler,
                      boolean bounded) {
        RetryPolicy policy = settings.retry();
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
            HttpResponse<T> response = null;
            IOException failed = null;
            try {
                response = http.send(build.apply(bounded ? left : null), handler);
            } catch (IOException e) {
                failed = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while waiting for the gateway", e);
            }
            String error = response == null || response.statusCode() / 100 == 2 || response.statusCode() / 100 == 3
                    ? null : errorText(response.body());
            boolean again = failed != null ? !(failed instanceof HttpTimeoutException) || failed instanceof HttpConnectTimeoutException
                    : error != null && transientAnswer(response.statusCode(), error);
            if (!again) {
                if (failed != null) {
                    throw noAnswer(method, path, failed, attempt);
                }
                return new Reply<>(response, attempt, error);
            }
            Optional<Duration> retryAfter = response == null ? Optional.empty()
                    : RetryPolicy.parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null), ZonedDateTime.now());
            Duration wait = policy.delay(attempt, retryAfter, ThreadLocalRandom.current());
            if (attempt >= policy.maxAttempts() || System.nanoTime() + wait.toNanos() >= deadline) {
                if (failed != null) {
                    throw noAnswer(method, path, failed, attempt);
                }
                return new Reply<>(response, attempt, error);
            }
            sleep(wait);
        }
    }

    /** A call that got no answer: the connection failed, or the answer did not come within the timeout. */
    private CliError noAnswer(String method, String path, IOException failed, int attempts) {
        if (failed instanceof HttpTimeoutException && !(failed instanceof HttpConnectTimeoutException)) {
            return new CliError(ErrorCode.ERR_UNAVAILABLE, "the gateway at " + base + " gave no answer in time to " + method + " "
                    + path + " (the timeout is " + settings.timeout().toMillis() + " ms; raise it with --timeout)", failed)
                    .after(attempts, null);
        }
        return CliError.unreachable("gateway", base, failed).after(attempts, method + " " + path);
    }

    /** Transient by status, unless the problem's own code says the input must change (then trying again cannot help). */
    private static boolean transientAnswer(int status, String body) {
        if (!RetryPolicy.transientStatus(status)) {
            return false;
        }
        ErrorCode code = problemCode(body);
        return code == null || code.fix() == ErrorCode.Fix.RETRY;
    }

    private static ErrorCode problemCode(String body) {
        try {
            JsonNode node = CliJson.parse(body);
            return node == null || !node.path("code").isTextual() ? null : ErrorCode.valueOf(node.get("code").asText());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String errorText(Object body) {
        if (body instanceof String text) {
            return text;
        }
        return body instanceof InputStream in ? drain(in) : "";
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while waiting to retry the gateway", e);
        }
    }

    /** An error body, read up to 64 KiB, for the message. */
    static String drain(InputStream in) {
        try (in) {
            return new String(in.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
