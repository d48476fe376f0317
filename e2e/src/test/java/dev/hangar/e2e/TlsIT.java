package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.PrivateKafka;
import dev.hangar.kit.testing.TestCertificates;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every hop with TLS on (docs/tls.md), real processes over real sockets: a CA and a certificate
 * for 127.0.0.1 made here; a private broker with a SASL_SSL listener; a registry, a storage
 * service, a gateway (public and internal listeners) and an executor of this tree, all started
 * with {@code HANGAR_TLS_CERT_FILE}/{@code _KEY_FILE}/{@code _CA_FILE} and
 * {@code KAFKA_SECURITY_PROTOCOL=SASL_SSL} on that listener only; the stack's PostgreSQL, S3,
 * Docker and OCI registry stay as they are. A mock run goes through over HTTPS and WSS; then the
 * attacks: no CA, plaintext to a TLS port, a certificate for another name, a plaintext Kafka
 * client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
    static final String TAG = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    static final String INTERNAL_TOKEN = "tls-it-internal-" + UUID.randomUUID();
    static final String OWNER = "tls-it";
    static final String TOKEN = "tls-it-token-" + UUID.randomUUID();
    /** The pool of the executor that dials the gateway by a name its certificate does not have. */
    static final String WRONG_NAME_POOL = "tls-wrong-" + TAG;

    private Path work;
    private TestCertificates certs;
    private PrivateKafka kafka;
    private ServiceProcess registry;
    private ServiceProcess storage;
    private ServiceProcess gateway;
    private ServiceProcess executor;
    private final List<ServiceProcess> others = new ArrayList<>();
    private int internalPort;
    private HttpClient https;
    private String ref;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("hangar-tls-it");
        certs = TestCertificates.create(work.resolve("certs"));
        var server = certs.server("services", "ip:127.0.0.1");
        https = HttpClient.newBuilder().sslContext(certs.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();

        kafka = new PrivateKafka(work.resolve("kafka"), server);
        kafka.start();
        try (var admin = Admin.create(new HashMap<>(kafka.sslClientProps(certs.ca)))) { // topics made over SASL_SSL already
            admin.createTopics(List.of(Topics.RUNS_REQUESTED, Topics.RUNS_EVENTS, Topics.RUNS_CONTROL, Topics.RUNS_SUBMIT,
                    Topics.runsRequested(WRONG_NAME_POOL)).stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        }

        var tls = Map.of("HANGAR_TLS_CERT_FILE", server.cert().toString(), "HANGAR_TLS_KEY_FILE", server.key().toString(),
                "HANGAR_TLS_CA_FILE", certs.ca.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.sslBootstrap(), "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "HANGAR_INTERNAL_TOKEN", INTERNAL_TOKEN);
        registry = ServiceProcess.start("registry-service", "tls-it-registry-" + TAG, with(tls, Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_registry_test_tls",
                "HANGAR_VERIFY_DIGESTS", "false")), Map.of());
        storage = ServiceProcess.start("storage-service", "tls-it-storage-" + TAG, tls, Map.of());
        ref = PoolRig.registerSlow("127.0.0.1:5000/tls-it/slow", TAG, "tls-it", "slow-" + TAG, OWNER, https(registry),
                INTERNAL_TOKEN, https);

        internalPort = ServiceProcess.freePort();
        int port = ServiceProcess.freePort();
        gateway = ServiceProcess.start("gateway-service", "tls-it-gateway-" + TAG, port, with(tls, Map.of(
                "HANGAR_PUBLIC_URL", "https://127.0.0.1:" + port,
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_gateway_test_tls",
                "HANGAR_SECRETS_KEY", "tls-it-secrets-key-" + UUID.randomUUID(),
                "HANGAR_GATEWAY_ID", "tls-it-" + TAG,
                "HANGAR_GATEWAY_INTERNAL_PORT", String.valueOf(internalPort),
                "HANGAR_BOOTSTRAP_TOKENS", OWNER + "=" + TOKEN,
                "HANGAR_REMOTE_POOLS", WRONG_NAME_POOL,
                "HANGAR_REGISTRY_URL", https(registry),
                "HANGAR_STORAGE_URL", https(storage))), Map.of());
        executor = executor("tls-it-executor-" + TAG, "https://127.0.0.1:" + internalPort, tls, Map.of());
    }

    private ServiceProcess executor(String name, String gatewayInternalUrl, Map<String, String> tls, Map<String, String> more)
            throws Exception {
        var process = ServiceProcess.start("executor-service", name, with(tls, with(more, Map.of(
                "HANGAR_EXECUTOR_ID", name,
                "HANGAR_EXECUTOR_WORK_DIR", work.resolve(name).toString(),
                "HANGAR_GATEWAY_INTERNAL_URL", gatewayInternalUrl,
                "HANGAR_REGISTRY_URL", https(registry)))), Map.of());
        return process;
    }

    @AfterAll
    void stop() throws Exception {
        for (var p : others) {
            p.close();
        }
        for (var p : new ServiceProcess[] {executor, gateway, storage, registry}) {
            if (p != null) {
                p.close();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        for (String c : Stack.docker("ps", "-aq", "--filter", "label=dev.hangar.executor").lines().filter(l -> !l.isBlank()).toList()) {
            if (Stack.docker("inspect", "--format", "{{index .Config.Labels \"dev.hangar.executor\"}}", c).strip().startsWith("tls-it-")) {
                Stack.docker("rm", "-f", c);
            }
        }
    }

    @Test
    void aMockRunGoesThroughOverHttpsWssAndSaslSslAndItsEnvelopeArrives() throws Exception {
        var ready = https.send(api("/q/health/ready").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), "the gateway reaches the registry and storage over HTTPS: " + ready.body());
        assertTrue(ready.body().contains("registry-service") && ready.body().contains("storage-service"), ready.body());

        JsonNode accepted = submit("{\"ref\":\"" + ref + "\",\"mode\":\"mock\",\"inputs\":{\"seconds\":1}}");
        String id = accepted.path("execution_id").asText();
        String stream = accepted.path("stream_url").asText();
        assertTrue(stream.startsWith("wss://127.0.0.1:"), "the stream URL it hands out is wss: " + stream);

        var frames = new CopyOnWriteArrayList<String>();
        var socket = https.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create(stream), collector(frames)).get(20, TimeUnit.SECONDS);
        JsonNode run = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> get("/v1/runs/" + id),
                r -> List.of("success", "error", "canceled").contains(r.path("status").asText()));
        assertEquals("success", run.path("status").asText(), run.toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> frames.stream().anyMatch(f -> f.contains("\"completed\"")));
        assertTrue(frames.stream().anyMatch(f -> f.contains("\"started\"") && f.contains("tls-it-executor-" + TAG)),
                "the TLS executor ran it: " + frames);
        assertTrue(frames.stream().anyMatch(f -> f.contains("working 1 of 1")), "its log came over WSS: " + frames);
        socket.abort();
    }

    @Test
    void theCliRunsOverHttpsAndWssWithHangarCaFileAndIsRefusedWithoutIt() throws Exception {
        var env = Map.of("HANGAR_BASE_URL", https(gateway), "HANGAR_API_KEY", TOKEN, "HANGAR_CA_FILE", certs.ca.toString());
        var run = Stack.hangar(env, null, "run", "--ref", ref, "--inputs-json", "{\"seconds\":1}", "--json");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertEquals("success", Json.MAPPER.readTree(run.out()).path("status").asText(), run.out());

        var refused = Stack.hangar(Map.of("HANGAR_BASE_URL", https(gateway), "HANGAR_API_KEY", TOKEN, "HANGAR_CA_FILE", ""), null,
                "runs", "list");
        assertTrue(refused.exit() != 0, "the JDK's trust store does not know the test CA: " + refused.out());
        assertTrue(refused.err().contains("PKIX") || refused.err().toLowerCase().contains("certificate"), refused.err());
    }

    @Test
    void aClientWithoutTheCaIsRefusedOnEveryListener() {
        var plainTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(); // the JDK's CAs only
        for (int port : tlsPorts()) {
            var refused = assertThrows(IOException.class, () -> plainTrust.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/q/health/live")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()), "port " + port);
            assertTrue(chain(refused).contains("PKIX path building failed"), "port " + port + ": " + chain(refused));
        }
    }

    @Test
    void plaintextToATlsPortGetsNoData() throws Exception {
        for (int port : tlsPorts()) {
            String answer = plaintext(port, "GET /q/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertFalse(answer.contains("HTTP/1."), "port " + port + " answered plaintext: " + answer);
            assertFalse(answer.contains("UP"), "port " + port + ": " + answer);
        }
        String secrets = plaintext(internalPort, "GET /internal/v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Hangar-Internal-Token: " + INTERNAL_TOKEN + "\r\nConnection: close\r\n\r\n");
        assertFalse(secrets.contains("HTTP/1."), "the internal port answered plaintext: " + secrets);
    }

    @Test
    void anExecutorDialingTheGatewayByANameItsCertificateLacksIsRefused() throws Exception {
        // same CA, the real gateway, but dialed as "localhost": the certificate names only 127.0.0.1
        var wrong = executor("tls-it-executor-wrong-" + TAG, "https://localhost:" + internalPort, Map.of(
                "HANGAR_TLS_CERT_FILE", certs.server("wrong", "ip:127.0.0.1").cert().toString(),
                "HANGAR_TLS_KEY_FILE", work.resolve("certs/wrong.key.pem").toString(),
                "HANGAR_TLS_CA_FILE", certs.ca.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.sslBootstrap(), "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "HANGAR_INTERNAL_TOKEN", INTERNAL_TOKEN), Map.of("HANGAR_EXECUTOR_POOL", WRONG_NAME_POOL));
        others.add(wrong);
        JsonNode accepted = submit("{\"ref\":\"" + ref + "\",\"mode\":\"mock\",\"adapter\":\"remote\",\"inputs\":{\"seconds\":1},"
                + "\"adapter_opts\":{\"pool\":\"" + WRONG_NAME_POOL + "\"}}");
        String id = accepted.path("execution_id").asText();

        await().atMost(Duration.ofSeconds(60)).until(() -> wrong.logText().contains(id)
                && wrong.logText().contains("CertificateException: No name matching localhost found"));
        JsonNode run = get("/v1/runs/" + id);
        assertEquals("queued", run.path("status").asText(), "no attempt was claimed, nothing started: " + run);
    }

    @Test
    void aKafkaClientOnThePlaintextProtocolCannotUseTheSslListener() {
        var plaintext = new HashMap<>(dev.hangar.kit.testing.StackCredentials.kafka(kafka.sslBootstrap())); // SASL_PLAINTEXT, right password
        var noCa = new HashMap<>(kafka.sslClientProps(certs.ca));
        noCa.remove("ssl.truststore.type");
        noCa.remove("ssl.truststore.location");
        for (var props : List.of(plaintext, noCa)) {
            props.put("default.api.timeout.ms", "6000");
            props.put("request.timeout.ms", "3000");
            try (var admin = Admin.create(props)) {
                assertThrows(Exception.class, () -> admin.listTopics().names().get(15, TimeUnit.SECONDS),
                        "listing topics with " + props.get("security.protocol") + " must fail");
            }
        }
        try (var admin = Admin.create(new HashMap<>(kafka.sslClientProps(certs.ca)))) { // the control: with the CA it works
            assertDoesNotFail(() -> admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(Topics.RUNS_EVENTS));
        }
    }

    // ---- helpers

    private List<Integer> tlsPorts() {
        return List.of(gateway.port, internalPort, executor.port, registry.port, storage.port);
    }

    private static String https(ServiceProcess p) {
        return "https://127.0.0.1:" + p.port;
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        var all = new HashMap<>(a);
        all.putAll(b);
        return all;
    }

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(URI.create(https(gateway) + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(20));
    }

    private JsonNode submit(String body) throws Exception {
        var answer = https.send(api("/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, answer.statusCode(), answer.body());
        return Json.MAPPER.readTree(answer.body());
    }

    private JsonNode get(String path) throws Exception {
        return Json.MAPPER.readTree(https.send(api(path).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** What a plaintext HTTP request to {@code port} gets back before the server closes (or 5 s pass). */
    private static String plaintext(int port, String request) throws IOException {
        try (var socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            var out = new java.io.ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(out);
            } catch (java.net.SocketTimeoutException | java.net.SocketException closed) {
                // nothing more
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String chain(Throwable t) {
        var all = new StringBuilder();
        for (; t != null; t = t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" <- ");
        }
        return all.toString();
    }

    private static void assertDoesNotFail(java.util.concurrent.Callable<Boolean> check) {
        try {
            assertTrue(check.call(), "the SASL_SSL client with the CA sees the topics");
        } catch (Exception e) {
            throw new AssertionError("the SASL_SSL client with the CA failed: " + e, e);
        }
    }

    private static WebSocket.Listener collector(List<String> frames) {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        };
    }
}
