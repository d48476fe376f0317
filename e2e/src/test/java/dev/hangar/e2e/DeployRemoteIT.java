package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The deploy control plane across a real network (docs/deploy.md): a pool executor of this tree
 * in a network namespace ({@link NetNs}, veth pair, link-local /30), reaching Kafka, this tree's
 * registry (database hangar_registry_test_deploynet), S3, the OCI registry and the gateway's
 * internal port only through forwarders on the veth. A gateway of this tree (database
 * hangar_gateway_test_deploynet, deploy and run topics of this test's own) is driven with the CLI
 * binary, as a user would:
 * {@code hangar deploy} with the pool → the remote executor pulls and verifies the digest and
 * keeps one container READY; {@code deploy status} shows it as that executor reported it;
 * {@code verify-digest} matches or fails with both digests; a tag is refused. Then the secrets:
 * {@code sync-secrets --check / --fail-on-missing}, a real-mode run in staging on the pool whose
 * processor reports only the sha256 of its secret, the canary nowhere else, another owner's 404,
 * {@code --prune} and the refusal that follows. The deployment's warm container is not the run's
 * (docs/deploy.md "Warm containers and runs"). Last, the executor is SIGKILLed: status says
 * unhealthy with 0 warm once its reports stop; started again under its id, it reads the
 * deployments from the deploy topic's start and holds both again, each applied once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployRemoteIT {
    static final String TAG = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    static final String POOL = "dit-" + TAG;
    static final String EVENTS = "hangar.deploy-it.events." + TAG;
    static final String CONTROL = "hangar.deploy-it.control." + TAG;
    static final String DEPLOY_REQUESTED = "hangar.deploy-it.deploy-requested." + TAG;
    static final String DEPLOY_EVENTS = "hangar.deploy-it.deploy-events." + TAG;
    static final String OWNER = "deploy-it";
    static final String TOKEN = "deploy-it-token-" + UUID.randomUUID();
    static final String INTRUDER_TOKEN = "deploy-it-intruder-" + UUID.randomUUID();
    static final String NAMESPACE = "deploy-it-" + TAG;
    static final String IMAGE = "127.0.0.1:5000/deploy-it/secret-hash";
    static final String SECRET = "DEPLOY_IT_SECRET";
    static final String CANARY = "canary-" + UUID.randomUUID();
    static final String STALE_AFTER = "6s";

    private NetNs ns;
    private List<String> forwarded;
    private ServiceProcess registry;
    private ServiceProcess gateway;
    private ServiceProcess executor;
    /** The gateway's internal port, which the executor calls. */
    private int internal;
    private PoolRig.EventTap events;
    private RawTap records;
    private Path work;
    private String digest;
    private String ref;
    private String ref2;
    private final List<String> printed = new CopyOnWriteArrayList<>();
    private final List<String> runIds = new CopyOnWriteArrayList<>();
    private final List<String> s3Outputs = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("hangar-deploy-it");
        String runs = Topics.runsRequested(POOL);
        Stack.createTopicsOn("127.0.0.1:9092", EVENTS, CONTROL, DEPLOY_REQUESTED, DEPLOY_EVENTS, runs);
        registry = ServiceProcess.start("registry-service", "deploy-it-registry-" + TAG, Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_registry_test_deploynet",
                "HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken(),
                "HANGAR_DEPLOY_STALE_AFTER", STALE_AFTER), Map.of());
        digest = PoolRig.pushed("secret-hash", IMAGE, TAG);
        ref = PoolRig.register(registry.url(), "secret-hash", IMAGE, digest, NAMESPACE + "/secret-hash@1", OWNER, "\"" + SECRET + "\"");
        ref2 = PoolRig.register(registry.url(), "secret-hash", IMAGE, digest, NAMESPACE + "/secret-hash@2", OWNER,
                "\"OTHER_IT_SECRET\"");
        // each gateway here seals with a key of its own: an earlier run's rows of this owner cannot be opened
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/hangar_gateway_test_deploynet", "hangar",
                StackCredentials.dbPassword()); var s = c.createStatement()) {
            s.execute("DELETE FROM secrets WHERE owner = '" + OWNER + "'");
        } catch (java.sql.SQLException e) {
            // a fresh database the gateway has not migrated yet has nothing to clean
        }
        internal = ServiceProcess.freePort();
        gateway = PoolRig.gateway("deploy-it-" + TAG, "hangar_gateway_test_deploynet", internal,
                OWNER + "=" + TOKEN + ",intruder=" + INTRUDER_TOKEN, POOL, EVENTS, CONTROL, "hangar.deploy-it.submit." + TAG,
                Map.of("HANGAR_REGISTRY_URL", registry.url()),
                Map.of("mp.messaging.outgoing.deploy-requests.topic", DEPLOY_REQUESTED,
                        "mp.messaging.incoming.deploy-events.topic", DEPLOY_EVENTS,
                        "mp.messaging.incoming.deploy-events.group.id", "deploy-it-gateway-" + TAG));
        events = new PoolRig.EventTap(EVENTS);
        records = new RawTap(List.of(EVENTS, CONTROL, DEPLOY_REQUESTED, DEPLOY_EVENTS, runs));

        ns = NetNs.create();
        forwarded = ns.forward(9092, registry.port, 9000, 5000, internal);
        executor = startExecutor("deploy-it-executor-" + TAG);
    }

    /** The pool's executor {@code POOL-e1}, in the namespace, once it consumes its pool's run topic. */
    private ServiceProcess startExecutor(String name) throws Exception {
        var started = ServiceProcess.start("executor-service", name, ServiceProcess.freePort(),
                Map.of("HANGAR_EXECUTOR_POOL", POOL,
                        "HANGAR_EXECUTOR_ID", POOL + "-e1",
                        "HANGAR_EXECUTOR_WORK_DIR", work.resolve("e1").toString(),
                        "HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken(),
                        "HANGAR_REGISTRY_URL", "http://127.0.0.1:" + registry.port,
                        "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + internal,
                        "HANGAR_DEPLOY_REPORT_INTERVAL", "1s"),
                Map.of("mp.messaging.outgoing.run-events.topic", EVENTS,
                        "mp.messaging.incoming.run-control.topic", CONTROL,
                        "mp.messaging.incoming.deploy-requests.topic", DEPLOY_REQUESTED,
                        // a topic of this test's own: from its beginning, so no command is missed before the group joins
                        "mp.messaging.incoming.deploy-requests.auto.offset.reset", "earliest",
                        "mp.messaging.outgoing.deploy-events.topic", DEPLOY_EVENTS),
                ns.enter());
        await().atMost(Duration.ofSeconds(60)).until(() -> started.logText().contains(Topics.runsRequested(POOL)));
        return started;
    }

    @AfterAll
    void stop() throws Exception {
        for (var tap : new AutoCloseable[] {events, records}) {
            if (tap != null) {
                tap.close();
            }
        }
        for (var p : new ServiceProcess[] {executor, gateway, registry}) {
            if (p != null) {
                p.close();
            }
        }
        if (ns != null) {
            ns.close();
            assertFalse(ns.hostVethExists(), "the namespace's veth pair went with it");
        }
        for (String c : Stack.docker("ps", "-aq", "--filter", "label=dev.hangar.executor=" + POOL + "-e1").lines()
                .filter(l -> !l.isBlank()).toList()) {
            Stack.docker("rm", "-f", c);
        }
    }

    @Test
    @Order(1)
    void aDeployCrossesTheVethAndTheRemoteExecutorKeepsItWarmAsStatusShows() throws Exception {
        var deploy = cli("deploy", "--ref", ref, "--env", "staging", "--oci", IMAGE + "@" + digest, "--min-warm", "1",
                "--pool", POOL, "--json");
        assertEquals(0, deploy.exit(), deploy.out() + deploy.err());
        assertEquals("requested", deploy.json().path("status").asText(), deploy.out());

        JsonNode status = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(this::status, s -> s.path("status").asText().equals("verified") && s.path("warm").asInt() == 1);
        assertEquals("healthy", status.path("health").asText(), status.toString());
        assertEquals(POOL, status.path("pool").asText());
        assertEquals(digest, status.path("digest").asText());
        JsonNode placement = status.path("executors").get(0);
        assertEquals(POOL + "-e1", placement.path("executor_id").asText(), "the remote executor reported it: " + status);
        assertEquals("healthy", placement.path("health").asText());
        assertFalse(placement.path("since").asText().isBlank(), "since when: " + status);
        assertFalse(placement.path("reported_at").asText().isBlank(), "last report: " + status);

        // what the engine runs: one container of the digest, labelled with the deployment and the remote executor
        var warm = deploymentContainers();
        assertEquals(1, warm.size(), "one warm container of the deployment");
        assertEquals(POOL + "-e1", label(warm.get(0), "dev.hangar.executor"));
        assertTrue(Stack.docker("inspect", "--format", "{{.State.Status}}", warm.get(0)).strip().equals("running"));
        String image = Stack.docker("inspect", "--format", "{{.Image}}", warm.get(0)).strip();
        assertTrue(Stack.docker("image", "inspect", "--format", "{{json .RepoDigests}}", image).contains(IMAGE + "@" + digest));

        assertTrue(forwarded.contains("conn 9092") && forwarded.contains("conn " + registry.port),
                "the command came over Kafka and the pin was checked in the registry, across the veth: " + forwarded);

        var human = cli("deploy", "status", "--ref", ref, "--env", "staging");
        assertEquals(0, human.exit(), human.err());
        assertTrue(human.out().contains("status verified, health healthy, min_warm 1, warm 1, pool " + POOL), human.out());
        assertTrue(human.out().contains(POOL + "-e1") && human.out().contains("LAST REPORT"), human.out());

        // the executor re-reports: reported_at moves while the log keeps one verified line
        String first = placement.path("reported_at").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> !status().path("executors").get(0).path("reported_at").asText().equals(first));
        var logs = cli("deploy", "logs", "--ref", ref, "--env", "staging", "--json");
        assertEquals(0, logs.exit(), logs.err());
        long verified = logs.out().lines().filter(l -> l.contains(" verified ")).count();
        assertTrue(verified <= 2, "reports are not log lines: " + logs.out());
    }

    @Test
    @Order(2)
    void verifyDigestMatchesOrFailsNamingBothAndATagIsRefused() throws Exception {
        var match = cli("deploy", "verify-digest", "--ref", ref, "--env", "staging", "--oci", IMAGE + "@" + digest);
        assertEquals(0, match.exit(), match.out() + match.err());
        JsonNode report = match.json();
        assertTrue(report.path("match").asBoolean(), match.out());
        assertEquals(digest, report.path("deployed_digest").asText());
        assertEquals(digest, report.path("given_digest").asText());

        String other = "sha256:" + "0".repeat(64);
        var mismatch = cli("deploy", "verify-digest", "--ref", ref, "--env", "staging", "--oci", IMAGE + "@" + other);
        assertEquals(1, mismatch.exit(), mismatch.out() + mismatch.err());
        String said = mismatch.out() + mismatch.err();
        assertTrue(said.contains("ERR_REGISTRY_MISMATCH") && said.contains(digest) && said.contains(other), said);

        var tag = cli("deploy", "--ref", ref, "--env", "staging", "--oci", IMAGE + ":" + TAG, "--pool", POOL);
        assertEquals(1, tag.exit(), tag.out() + tag.err());
        assertTrue(tag.err().contains("ERR_OPTION_INVALID") && tag.err().contains(IMAGE + "@sha256:<64 hex digits>"), tag.err());
    }

    @Test
    @Order(3)
    void syncedSecretsReachTheRemoteContainerOnlyAsTheirHash() throws Exception {
        var checked = cliWith(Map.of(SECRET, CANARY), "deploy", "sync-secrets", "--ref", ref, "--env", "staging", "--check", "--json");
        assertEquals(0, checked.exit(), checked.err());
        assertEquals(List.of(SECRET), names(checked.json().path("added")), checked.out());
        assertFalse(checked.json().path("applied").asBoolean());
        var notYet = realRun(ref);
        assertEquals(1, notYet.exit(), "--check stored nothing: " + notYet.out() + notYet.err());
        assertTrue(notYet.err().contains("ERR_MISSING_SECRET") && notYet.err().contains(SECRET), notYet.err());

        var missing = cliWith(Map.of(), "deploy", "sync-secrets", "--ref", ref, "--env", "staging", "--fail-on-missing");
        assertEquals(1, missing.exit(), missing.out() + missing.err());
        assertTrue(missing.err().contains("ERR_MISSING_SECRET") && missing.err().contains(SECRET), "names it: " + missing.err());

        var synced = cliWith(Map.of(SECRET, CANARY), "deploy", "sync-secrets", "--ref", ref, "--env", "staging", "--json");
        assertEquals(0, synced.exit(), synced.err());
        assertEquals(List.of(SECRET), names(synced.json().path("added")), synced.out());
        assertTrue(synced.json().path("applied").asBoolean());

        var run = realRun(ref);
        assertEquals(0, run.exit(), run.out() + run.err());
        JsonNode envelope = run.json();
        String id = envelope.path("execution_id").asText();
        runIds.add(id);
        assertEquals("success", envelope.path("status").asText(), run.out());
        String hashPath = null;
        for (JsonNode output : envelope.path("outputs")) {
            if (output.path("path").asText().endsWith("/hash.txt")) {
                hashPath = output.path("path").asText();
            }
        }
        assertTrue(hashPath != null, "the processor wrote hash.txt: " + run.out());
        String key = dev.hangar.contracts.ArtifactPath.toKey(hashPath);
        try (var s3 = Stack.s3()) {
            String hash = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(key)).asString(StandardCharsets.UTF_8).strip();
            assertEquals(sha256(CANARY), hash, "the processor read the canary inside the container (its output is the hash)");
            s3Outputs.add(key);
        }
        var started = events.of(id).stream().filter(e -> PoolRig.type(e).equals("started")).findFirst().orElseThrow();
        assertEquals(POOL + "-e1", started.path("event").path("executor").asText(), "the remote executor ran it");
        assertTrue(started.toString().contains(digest), "the deployment's pinned digest: " + started);

        // another owner: sync and check are 404, as for an environment with nothing deployed
        var intruder = Stack.hangar(Map.of(SECRET, "stolen"), null, "--base-url", gateway.url(), "--api-key", INTRUDER_TOKEN,
                "deploy", "sync-secrets", "--ref", ref, "--env", "staging", "--check");
        printed.add(intruder.out() + intruder.err());
        assertEquals(1, intruder.exit(), intruder.out() + intruder.err());
        assertTrue(intruder.err().contains("ERR_DEPLOYMENT_NOT_FOUND"), intruder.err());
        var rest = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/deployments/secrets"))
                .header("Authorization", "Bearer " + INTRUDER_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"" + ref + "\",\"env\":\"staging\",\"values\":{},\"check\":true}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, rest.statusCode(), rest.body());
        assertFalse(rest.body().contains(SECRET), "not even the names: " + rest.body());
    }

    @Test
    @Order(4)
    void theDeploymentsWarmContainerIsNotTheRunsAndHoldsNoSecret() throws Exception {
        var warm = deploymentContainers();
        assertEquals(1, warm.size());
        String container = warm.get(0);
        var run = realRun(ref);
        assertEquals(0, run.exit(), run.out() + run.err());
        String id = run.json().path("execution_id").asText();
        runIds.add(id);
        String host = events.of(id).stream().filter(e -> PoolRig.type(e).equals("log"))
                .map(e -> e.path("event").path("line").asText()).filter(l -> l.startsWith("host ")).findFirst().orElseThrow()
                .substring(5).strip();
        assertFalse(container.startsWith(host), "a real-mode run in the environment runs in a container of its own, not the "
                + "deployment's mock-mode warm one (" + container + ")");
        assertEquals(List.of(container), deploymentContainers(), "the deployment's container is still the one it was");
        String inspected = Stack.docker("inspect", container);
        assertTrue(inspected.contains("HANGAR_MODE=mock"), "the deployment's container is mock mode");
        assertFalse(inspected.contains("HANGAR_SECRETS_SOCKET") || inspected.contains(CANARY), "and was handed no secret");
        await().atMost(Duration.ofSeconds(20)).until(() -> Stack.docker("ps", "-aq", "--filter", "label=dev.hangar.execution_id=" + id)
                .isBlank());
    }

    @Test
    @Order(5)
    void pruneRemovesASecretAndTheNextRealRunIsRefusedNamingIt() throws Exception {
        var deploy = cli("deploy", "--ref", ref2, "--env", "staging", "--oci", IMAGE + "@" + digest, "--pool", POOL, "--json");
        assertEquals(0, deploy.exit(), deploy.err());
        // the environment's secrets are the owner's for every ref there: @2's spec does not name @1's
        var pruned = cliWith(Map.of("OTHER_IT_SECRET", "other-" + TAG), "deploy", "sync-secrets", "--ref", ref2, "--env", "staging",
                "--prune", "--json");
        assertEquals(0, pruned.exit(), pruned.err());
        assertEquals(List.of(SECRET), names(pruned.json().path("pruned")), pruned.out());
        var refused = realRun(ref);
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().contains("ERR_MISSING_SECRET") && refused.err().contains(SECRET), refused.err());
    }

    @Test
    @Order(6)
    void theCanaryIsInNoEventEnvelopeCliOutputServiceLogOrKafkaRecord() throws Exception {
        assertFalse(runIds.isEmpty());
        for (String id : runIds) {
            assertNowhere("the run's events", events.of(id).toString());
            assertNowhere("the run's envelope", Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/runs/" + id))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        assertNowhere("what the CLI printed", String.join("\n", printed));
        try (var s3 = Stack.s3()) {
            for (String key : s3Outputs) {
                assertNowhere("s3://" + Stack.BUCKET + "/" + key, s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(key))
                        .asString(StandardCharsets.ISO_8859_1));
            }
        }
        assertNowhere("the Kafka records of the test's topics", String.join("\n", records.all()));
        assertTrue(records.all().size() > 10, "the tap saw the traffic: " + records.all().size());
        for (var p : List.of(registry, gateway, executor)) {
            assertNowhere(p.log.toString(), Files.readString(p.log, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    @Order(7)
    void aKilledRemoteExecutorShowsAsUnhealthyWithNoWarmContainer() throws Exception {
        assertEquals("healthy", status().path("health").asText());
        executor.kill();
        long killed = System.nanoTime();
        JsonNode status = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1))
                .until(this::status, s -> s.path("health").asText().equals("unhealthy"));
        long seconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
        assertEquals(0, status.path("warm").asInt(), "its container is no longer counted: " + status);
        assertEquals("unhealthy", status.path("executors").get(0).path("health").asText(), status.toString());
        assertTrue(seconds >= 4, "not before its reports were due (" + seconds + " s)");
        var human = cli("deploy", "status", "--ref", ref, "--env", "staging");
        assertTrue(human.out().contains("health unhealthy") && human.out().contains("warm 0"), human.out());
    }

    @Test
    @Order(8)
    void theExecutorStartedAgainUnderItsIdHoldsItsDeploymentsAgain() throws Exception {
        List<String> killed = deploymentContainers(); // the SIGKILLed process's warm container outlives it
        // records no command is made of, among the changelog the restarted process reads from its start
        try (var producer = Stack.producer()) {
            for (String junk : List.of("{not json", "{\"schema_version\":1,\"name\":\"echo\"}", Json.write(Map.of("schema_version", 1,
                    "name", "echo", "ref", ref, "env", "../etc", "image", IMAGE + "@" + digest, "min_warm", 1, "owner", OWNER)))) {
                producer.send(new ProducerRecord<>(DEPLOY_REQUESTED, "junk", junk)).get();
            }
        }
        executor = startExecutor("deploy-it-executor-again-" + TAG);
        JsonNode status = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(this::status, s -> s.path("health").asText().equals("healthy") && s.path("warm").asInt() == 1);
        assertEquals(POOL + "-e1", status.path("executors").get(0).path("executor_id").asText(), status.toString());
        var warm = deploymentContainers();
        assertEquals(1, warm.size(), "one warm container of the deployment again: " + warm);
        assertFalse(killed.contains(warm.get(0)), "a container of the new process's own; the orphan reaper removed " + killed);
        JsonNode second = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> status(ref2), s -> s.path("health").asText().equals("healthy"));
        assertEquals("verified", second.path("status").asText(), "the min_warm 0 deployment is held again too: " + second);
        String log = executor.logText();
        assertTrue(log.contains("2 deployment(s) in " + DEPLOY_REQUESTED + " at start"), "read from the topic's start: " + log);
        assertTrue(log.contains("ignoring an unreadable deploy command"), "the junk records were read, and skipped: " + log);
        for (String which : List.of(ref, ref2)) {
            assertEquals(1, log.split(java.util.regex.Pattern.quote("deploy " + which + " to staging"), -1).length - 1,
                    "applied once, though the replay and the channel may both hold its command: " + which);
        }

        // a static member of its deploy group, it takes new commands at once, not after the killed process's session timeout
        var zero = cli("deploy", "--ref", ref, "--env", "staging", "--oci", IMAGE + "@" + digest, "--min-warm", "0", "--pool", POOL);
        assertEquals(0, zero.exit(), zero.out() + zero.err());
        long sent = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(this::status, s -> s.path("min_warm").asInt() == 0
                        && s.path("executors").get(0).path("message").asText().startsWith("min_warm 0"));
        System.out.printf("the restarted executor applied a new command %d ms after it was sent%n",
                Duration.ofNanos(System.nanoTime() - sent).toMillis());
    }

    // ---- helpers

    private Stack.Result cli(String... args) throws Exception {
        return cliWith(Map.of(), args);
    }

    private Stack.Result cliWith(Map<String, String> env, String... args) throws Exception {
        var all = new ArrayList<>(List.of("--base-url", gateway.url(), "--api-key", TOKEN));
        all.addAll(List.of(args));
        var result = Stack.hangar(env, null, all.toArray(String[]::new));
        printed.add(result.out() + result.err());
        return result;
    }

    private Stack.Result realRun(String which) throws Exception {
        return cli("run", "--ref", which, "--deploy-env", "staging", "--mode", "real", "--adapter", "remote",
                "--adapter-opts-json", "{\"pool\":\"" + POOL + "\"}", "--inputs-json", "{}", "--json");
    }

    private JsonNode status() throws Exception {
        return status(ref);
    }

    private JsonNode status(String which) throws Exception {
        var r = Stack.hangar("--base-url", gateway.url(), "--api-key", TOKEN, "deploy", "status", "--ref", which, "--env", "staging",
                "--json");
        assertEquals(0, r.exit(), r.err());
        return r.json();
    }

    private List<String> deploymentContainers() throws Exception {
        String name = dev.hangar.contracts.Deploy.name(dev.hangar.contracts.ProcessorRef.parse(ref), "staging", null, OWNER);
        return Stack.docker("ps", "-q", "--no-trunc", "--filter", "label=dev.hangar.deployment=staging/" + name).lines()
                .filter(l -> !l.isBlank()).toList();
    }

    private static String label(String container, String label) throws Exception {
        return Stack.docker("inspect", "--format", "{{index .Config.Labels \"" + label + "\"}}", container).strip();
    }

    private static List<String> names(JsonNode array) {
        var names = new ArrayList<String>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertNowhere(String where, String text) {
        assertFalse(text.contains(CANARY), "the canary is in " + where);
    }

    /** Every record value of some topics, from their beginning, as text. */
    static final class RawTap implements AutoCloseable {
        private final List<String> values = new CopyOnWriteArrayList<>();
        private volatile boolean consuming = true;

        RawTap(List<String> topics) {
            Thread.ofPlatform().daemon().start(() -> consume(topics));
        }

        private void consume(List<String> topics) {
            var props = new Properties();
            props.putAll(StackCredentials.kafka());
            props.putAll(Map.of("key.deserializer", StringDeserializer.class.getName(),
                    "value.deserializer", StringDeserializer.class.getName()));
            try (var kafka = new KafkaConsumer<String, String>(props)) {
                var partitions = new ArrayList<TopicPartition>();
                for (String t : topics) {
                    kafka.partitionsFor(t).forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
                }
                kafka.assign(partitions);
                kafka.seekToBeginning(partitions);
                while (consuming) {
                    for (var record : kafka.poll(Duration.ofMillis(200))) {
                        values.add(record.key() + " " + record.value());
                    }
                }
            }
        }

        List<String> all() {
            return List.copyOf(values);
        }

        @Override
        public void close() {
            consuming = false;
        }
    }
}
