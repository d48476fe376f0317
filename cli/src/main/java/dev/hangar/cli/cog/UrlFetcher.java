package dev.hangar.cli.cog;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fetches an http(s) file input on the container's behalf: a Cog container started by the CLI
 * has no network, so {@code -i image=https://...} (and a URL in a request to {@code hangar serve})
 * is downloaded here and handed over as a {@code data:} URL. Bounded: the body is cut off at
 * {@link Limits#maxBytes()}, the whole fetch at {@link Limits#timeout()}; a redirect is followed
 * only to the same host (http to https allowed, never back), so a URL cannot bounce the CLI to
 * another machine — the error names the target, which the user may pass directly.
 */
public final class UrlFetcher {
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hangar-fetch-deadline");
        t.setDaemon(true);
        return t;
    });

    /**
     * How far a fetch may go; from {@code HANGAR_FETCH_MAX_BYTES}, {@code HANGAR_FETCH_TIMEOUT_SECONDS}
     * and {@code HANGAR_FETCH_MAX_REDIRECTS} (defaults 64 MiB, 30 s, 5).
     */
    public record Limits(long maxBytes, Duration timeout, int maxRedirects) {
        public static final Limits DEFAULTS = new Limits(64L * 1024 * 1024, Duration.ofSeconds(30), 5);

        public static Limits fromEnv(Map<String, String> env) {
            return new Limits(number(env, "HANGAR_FETCH_MAX_BYTES", DEFAULTS.maxBytes),
                    Duration.ofSeconds(number(env, "HANGAR_FETCH_TIMEOUT_SECONDS", DEFAULTS.timeout.toSeconds())),
                    (int) number(env, "HANGAR_FETCH_MAX_REDIRECTS", DEFAULTS.maxRedirects));
        }

        private static long number(Map<String, String> env, String name, long fallback) {
            String v = env.get(name);
            if (v == null || v.isBlank()) {
                return fallback;
            }
            try {
                long n = Long.parseLong(v.strip());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, name + " must be a whole number >= 0, got '" + v + "'");
        }
    }

    /** A fetched body and its media type. */
    public record Fetched(String mime, byte[] body) {
        public String dataUrl() {
            return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(body);
        }
    }

    private final Limits limits;
    private final HttpClient http;

    public UrlFetcher(Limits limits) {
        this.limits = limits;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(limits.timeout()).build();
    }

    /** From the environment's limits. */
    public static UrlFetcher fromEnv() {
        return new UrlFetcher(Limits.fromEnv(System.getenv()));
    }

    public static boolean isHttp(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        return v.startsWith("http://") || v.startsWith("https://");
    }

    /** GETs {@code url} ({@code what} names the input in messages), within the limits. */
    public Fetched fetch(String what, String url) {
        URI uri = parse(what, url);
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        for (int hop = 0; ; hop++) {
            HttpResponse<InputStream> response = send(what, uri, deadline);
            int status = response.statusCode();
            if (status / 100 == 3 && status != 304) {
                close(response);
                String location = response.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw failed(what, uri, "it answered " + status + " with no Location");
                }
                URI target;
                try {
                    target = uri.resolve(location.strip());
                } catch (IllegalArgumentException e) {
                    throw failed(what, uri, "it redirects to '" + location + "', not a URL");
                }
                if (hop >= limits.maxRedirects()) {
                    throw failed(what, uri, "it redirected more than " + limits.maxRedirects() + " times");
                }
                if (!sameHost(uri, target)) {
                    throw failed(what, uri, "it redirects to " + strip(target) + ", another host; hangar follows a "
                            + "redirect only on the same host. If you trust it, pass that URL itself");
                }
                uri = target;
                continue;
            }
            if (status / 100 != 2) {
                close(response);
                throw failed(what, uri, "it answered HTTP " + status + (status == 404 ? " (not found)" : ""));
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > limits.maxBytes()) {
                close(response);
                throw tooLarge(what, uri, declared + " bytes");
            }
            String mime = response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].strip())
                    .filter(t -> t.matches("[\\w.+-]+/[\\w.+-]+")).orElse("application/octet-stream");
            return new Fetched(mime, body(what, uri, response.body(), deadline));
        }
    }

    private HttpResponse<InputStream> send(String what, URI uri, long deadline) {
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(left).header("User-Agent", "hangar-cli").build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw timeout(what, uri);
        } catch (IOException e) {
            throw failed(what, uri, "it could not be reached (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, what + ": interrupted while fetching " + strip(uri));
        }
    }

    /** Reads at most maxBytes; a body that goes on is cut off, one that trickles past the deadline is closed. */
    private byte[] body(String what, URI uri, InputStream in, long deadline) {
        AtomicBoolean late = new AtomicBoolean();
        var timer = DEADLINES.schedule(() -> {
            late.set(true);
            close(in);
        }, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (out.size() + (long) n > limits.maxBytes()) {
                    throw tooLarge(what, uri, "more than that");
                }
                out.write(buffer, 0, n);
            }
            if (late.get()) {
                throw timeout(what, uri);
            }
            return out.toByteArray();
        } catch (IOException e) {
            if (late.get()) {
                throw timeout(what, uri);
            }
            throw failed(what, uri, "its body broke off (" + e.getMessage() + ")");
        } finally {
            timer.cancel(false);
        }
    }

    private static URI parse(String what, String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null || !isHttp(url)) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliError(ErrorCode.ERR_INPUT_INVALID, what + ": '" + url + "' is not an http(s) URL with a host");
        }
    }

    /** The same host and port; http may become https on it, never the other way. */
    static boolean sameHost(URI from, URI to) {
        String fs = from.getScheme().toLowerCase(Locale.ROOT);
        String ts = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!(ts.equals(fs) || fs.equals("http") && ts.equals("https")) || to.getHost() == null) {
            return false;
        }
        return from.getHost().equalsIgnoreCase(to.getHost()) && (ts.equals(fs) ? port(from) == port(to) : true);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** The URL without user info or query (signed URLs carry secrets there): messages are printed. */
    static String strip(URI u) {
        return u.getScheme() + "://" + (u.getHost().contains(":") ? "[" + u.getHost() + "]" : u.getHost())
                + (u.getPort() >= 0 ? ":" + u.getPort() : "") + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static void close(HttpResponse<InputStream> response) {
        close(response.body());
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing to stop it
        }
    }

    private static CliError failed(String what, URI uri, String why) {
        return new CliError(ErrorCode.ERR_INPUT_FETCH_FAILED, what + ": cannot fetch " + strip(uri) + ": " + why);
    }

    private CliError timeout(String what, URI uri) {
        return new CliError(ErrorCode.ERR_INPUT_FETCH_TIMEOUT, what + ": " + strip(uri) + " did not arrive within "
                + limits.timeout().toSeconds() + " s (HANGAR_FETCH_TIMEOUT_SECONDS); retry, or download it and pass @path");
    }

    private CliError tooLarge(String what, URI uri, String size) {
        return new CliError(ErrorCode.ERR_INPUT_TOO_LARGE, what + ": " + strip(uri) + " is larger than "
                + limits.maxBytes() + " bytes (" + size + "; HANGAR_FETCH_MAX_BYTES); the download was cut off there");
    }
}
