package dev.hangar.cli.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * A real HTTP server on 127.0.0.1 that answers each request with what {@code script} says for
 * its number (1, 2, ...), and records every request it got: method, path, headers, body, when.
 */
public final class FlakyGateway implements AutoCloseable {
    /** One answer: status, extra headers, body (problem+json when it has a {@code code}). */
    public record Answer(int status, Map<String, String> headers, String body, long delayMs) {
        public static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body, 0);
        }

        public static Answer problem(int status, String code) {
            return new Answer(status, Map.of("Content-Type", "application/problem+json"), "{\"status\":" + status
                    + ",\"code\":\"" + code + "\",\"title\":\"scripted\",\"detail\":\"scripted " + code + "\"}", 0);
        }

        public Answer withHeader(String name, String value) {
            var h = new java.util.HashMap<>(headers);
            h.put(name, value);
            return new Answer(status, Map.copyOf(h), body, delayMs);
        }

        public Answer delayed(long ms) {
            return new Answer(status, headers, body, ms);
        }
    }

    /** A request as it arrived. */
    public record Seen(String method, String path, Map<String, List<String>> headers, String body, long atNanos) {
        public String header(String name) {
            var values = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst();
            return values.map(e -> e.getValue().getFirst()).orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    public FlakyGateway(IntFunction<Answer> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> answer(exchange, script));
        server.start();
    }

    /** Fails {@code failures} times with {@code failure}, then answers {@code success}. */
    public static FlakyGateway failing(int failures, Answer failure, Answer success) throws IOException {
        return new FlakyGateway(n -> n <= failures ? failure : success);
    }

    private void answer(HttpExchange exchange, IntFunction<Answer> script) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()),
                body, System.nanoTime()));
        Answer a = script.apply(seen.size());
        if (a.delayMs() > 0) {
            try {
                Thread.sleep(a.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = a.body() == null ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
