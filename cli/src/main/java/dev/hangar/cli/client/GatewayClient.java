package dev.hangar.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.config.CliConfig;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.TrainingRun;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.Catalogue;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Session;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Plan;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunSummary;
import dev.hangar.contracts.Sampling;
import dev.hangar.contracts.SecretValue;
import dev.hangar.contracts.RunStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The gateway's REST API ({@code /v1/...}); every non-2xx answer becomes a {@link CliError}.
 *
 * <p>Every call is one logical request, sent again on a transient failure (408, 429, 5xx, a
 * connection that failed; see {@link RetryPolicy}) until it succeeds, fails for good, or
 * {@link Settings#timeout()} has passed, retries and waits included. A user error (4xx, or a
 * problem whose code says to fix the input) is never retried. A POST carries an
 * {@value #IDEMPOTENCY_HEADER} header, one key per logical call of this client (so one per command
 * invocation and POST), the same on each retry, so the gateway can tell a retry from a new request
 * ({@code POST /v1/runs} also gets it as the body's {@code idempotency_key} when the caller set none).
 * Commands add one method per endpoint here and get all of this without asking.
 *
 * <p>Close it: a live JDK client keeps a selector thread in native code, and the JVM waits up to
 * 300 ms for such threads when it exits.
 */
public final class GatewayClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_REDIRECTS = 3;
    /** The header a POST carries its idempotency key in (the IETF httpapi draft's name). */
    public static final String IDEMPOTENCY_HEADER = RunRequest.IDEMPOTENCY_HEADER;

    /**
     * How calls behave: {@code timeout} bounds each logical call (all its attempts), {@code retry}
     * says when to try again, {@code tokenSource} names where the API key came from (for the
     * message when the gateway refuses it).
     */
    public record Settings(Duration timeout, RetryPolicy retry, String tokenSource) {
        public static final Settings DEFAULT = new Settings(CliConfig.DEFAULT_TIMEOUT, RetryPolicy.DEFAULT, null);

        public Settings withRetry(RetryPolicy policy) {
            return new Settings(timeout, policy, tokenSource);
        }

        public Settings withTimeout(Duration t) {
            return new Settings(t, retry, tokenSource);
        }
    }

    private final URI base;
    private final String token;
    private final Settings settings;
    private final HttpClient http;
    /** This invocation's idempotency key; each POST adds its sequence number. */
    private final String invocationKey = "hangar-" + UUID.randomUUID();
    private final AtomicInteger posts = new AtomicInteger();
    private final RetryingCalls calls;

    public GatewayClient(URI base, String token) {
        this(base, token, Settings.DEFAULT);
    }

    public GatewayClient(URI base, String token, Settings settings) {
        this.base = base;
        this.token = token;
        this.settings = settings;
        Duration connect = settings.timeout().compareTo(CONNECT_TIMEOUT) < 0 ? settings.timeout() : CONNECT_TIMEOUT;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (!"https".equals(base.getScheme())) {
            b.sslContext(PlainHttp.SSL); // the default context parses the CA store: ~0.3 s of start-up for nothing
        } else {
            var ca = CaTrust.fromEnvironment(System.getenv()); // $HANGAR_CA_FILE, else the JDK's trust store
            if (ca != null) {
                b.sslContext(ca);
            }
        }
        this.http = b.build();
        this.calls = new RetryingCalls(http, base, settings);
    }

    /** A client for a resolved configuration (URL, key, timeout), with the default retry policy. */
    public static GatewayClient of(CliConfig config) {
        return new GatewayClient(config.url(), config.token(), new Settings(config.timeout(), RetryPolicy.DEFAULT,
                config.tokenSource()));
    }

    public Settings settings() {
        return settings;
    }

    /** A fresh idempotency key for one logical POST: this invocation's key and the POST's number. */
    public String nextIdempotencyKey() {
        return invocationKey + "-" + posts.incrementAndGet();
    }

    @Override
    public void close() {
        http.shutdownNow();
    }

    public URI base() {
        return base;
    }

    public HttpClient http() {
        return http;
    }

    public EventStream eventStream() {
        return new WebSocketEventStream(http, token);
    }

    /** How the gateway took a submission: {@code existing} when an idempotency key matched a run (200, not 202). */
    public record Submission(RunAccepted accepted, boolean existing) {}

    /** {@code POST /v1/runs}: 202 with where to follow the run, or 200 with the run its idempotency key names. */
    public Submission submit(RunRequest request) {
        RunRequest keyed = request.idempotencyKey() != null ? request : withKey(request, nextIdempotencyKey());
        HttpResponse<String> r = exchange("POST", "/v1/runs", Json.write(keyed), keyed.idempotencyKey()).response();
        return new Submission(read("POST", "/v1/runs", r, RunAccepted.class), r.statusCode() == 200);
    }

    private static RunRequest withKey(RunRequest r, String key) {
        return new RunRequest(r.ref(), r.adapter(), r.mode(), r.platform(), r.writePrefix(), r.inputs(), r.adapterOpts(), r.build(),
                r.timeoutSeconds(), key, r.plan(), r.attachments(), r.env()); // every field: dropping env ran it outside its environment
    }

    /**
     * A sampling request's answer: the samples ({@code 200}), or the run still going when the
     * gateway stopped waiting ({@code 202}); exactly one is set.
     */
    public record SampleAnswer(Sampling.Response response, RunAccepted pending) {}

    /** {@code GET /v1/models}: the base models the gateway samples from. */
    public Sampling.BaseModels listModels() {
        return send("GET", "/v1/models", null, Sampling.BaseModels.class);
    }

    /**
     * {@code POST /v1/sample?wait_ms=N}: a run of the base model's sampler; the gateway waits up to
     * {@code wait} for it (0 = answer at once with the run to follow).
     */
    public SampleAnswer sample(Sampling.Request request, Duration wait) {
        String path = "/v1/sample?wait_ms=" + wait.toMillis();
        return sampleAnswer("POST", path, exchange("POST", path, Json.write(request)));
    }

    /** {@code GET /v1/sample/{run_id}?wait_ms=N}: a sampling run's samples, waiting up to {@code wait} for them. */
    public SampleAnswer sampleResult(String runId, Duration wait) {
        String path = "/v1/sample/" + segment(runId) + "?wait_ms=" + wait.toMillis();
        return sampleAnswer("GET", path, exchange("GET", path, null));
    }

    private static SampleAnswer sampleAnswer(String method, String path, HttpResponse<String> r) {
        return r.statusCode() == 202 ? new SampleAnswer(null, read(method, path, r, RunAccepted.class))
                : new SampleAnswer(read(method, path, r, Sampling.Response.class), null);
    }

    /** {@code POST /v1/runs/{id}/cancel}: 202 {@code {execution_id, status}} once the cancel is under way. */
    public RunControl.Accepted cancelRun(String executionId) {
        String path = "/v1/runs/" + segment(executionId) + "/cancel";
        RetryingCalls.Reply<String> reply;
        try {
            reply = exchange("POST", path, null, nextIdempotencyKey());
        } catch (CliError e) {
            if (e.is(ErrorCode.ERR_RUN_FINISHED) && e.attempts() > 1 && canceled(executionId)) {
                return RunControl.Accepted.of(executionId); // an earlier attempt's cancel went through; its answer was lost
            }
            throw e;
        }
        HttpResponse<String> r = reply.response();
        if (r.statusCode() != 202) {
            throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway answered POST " + path + " with HTTP " + r.statusCode()
                    + ", not 202: the cancel was not accepted");
        }
        return read("POST", path, r, RunControl.Accepted.class);
    }

    private boolean canceled(String executionId) {
        RunDetail run = getRun(executionId);
        return run.status() == RunStatus.CANCELED;
    }

    /** {@code GET /v1/runs/{id}}: the run, with its envelope's fields once it has ended. */
    public RunDetail getRun(String executionId) {
        return send("GET", "/v1/runs/" + segment(executionId), null, RunDetail.class);
    }

    /** {@code GET /v1/runs?limit=N}: summaries, newest first. */
    public List<RunSummary> listRuns(int limit) {
        return send("GET", "/v1/runs?limit=" + limit, null, listOf(RunSummary.class));
    }

    /** {@code POST /v1/training-runs}: 202 with the training run and its stream URL. */
    public TrainingRun createTrainingRun(TrainingRun.Create request) {
        return send("POST", "/v1/training-runs", Json.write(request), TrainingRun.class);
    }

    /** {@code GET /v1/training-runs/{id}}: the caller's training run (404 ERR_RUN_NOT_FOUND for a processor run). */
    public TrainingRun getTrainingRun(String runId) {
        return send("GET", "/v1/training-runs/" + segment(runId), null, TrainingRun.class);
    }

    /** {@code GET /v1/training-runs?limit=N}: newest first. */
    public List<TrainingRun> listTrainingRuns(int limit) {
        return send("GET", "/v1/training-runs?limit=" + limit, null, listOf(TrainingRun.class));
    }

    /** {@code GET /v1/checkpoints?run_id=&limit=&offset=}: a page and its cursor; {@code limit} 0 = all, {@code runId} null = every run. */
    public Checkpoint.Page listCheckpoints(String runId, int limit, int offset) {
        String query = "?limit=" + limit + "&offset=" + offset + (runId == null ? "" : "&run_id=" + segment(runId));
        return send("GET", "/v1/checkpoints" + query, null, Checkpoint.Page.class);
    }

    /** {@code GET /v1/checkpoints/info?path=}: one checkpoint the caller may read. */
    public Checkpoint checkpointInfo(String path) {
        return send("GET", "/v1/checkpoints/info?path=" + segment(path), null, Checkpoint.class);
    }

    /** {@code POST /v1/checkpoints/publish}: other owners may read and sample it. */
    public Checkpoint publishCheckpoint(String path) {
        return send("POST", "/v1/checkpoints/publish", Json.write(new Checkpoint.Ref(path)), Checkpoint.class);
    }

    /** {@code POST /v1/checkpoints/unpublish}: the owner's alone again. */
    public Checkpoint unpublishCheckpoint(String path) {
        return send("POST", "/v1/checkpoints/unpublish", Json.write(new Checkpoint.Ref(path)), Checkpoint.class);
    }

    /** {@code PUT /v1/checkpoints/ttl}: expire {@code ttlSeconds} from now, or never again (null). */
    public Checkpoint setCheckpointTtl(String path, Long ttlSeconds) {
        return send("PUT", "/v1/checkpoints/ttl", Json.write(new Checkpoint.Ttl(path, ttlSeconds)), Checkpoint.class);
    }

    /** {@code DELETE /v1/checkpoints?path=}: 204 once the checkpoint and its files are gone. */
    public void deleteCheckpoint(String path) {
        exchange("DELETE", "/v1/checkpoints?path=" + segment(path), null);
    }

    /** {@code POST /v1/checkpoints/archive}: where to download the checkpoint's archive (built once, however many ask). */
    public Checkpoint.Archive checkpointArchive(String path) {
        return send("POST", "/v1/checkpoints/archive", Json.write(new Checkpoint.Ref(path)), Checkpoint.Archive.class);
    }

    /** A presigned URL's bytes (an archive): no token is sent, it is not the gateway's origin. Retried like any GET. */
    public Download openPresigned(String url) {
        URI target = URI.create(url);
        RetryingCalls.Reply<InputStream> reply = call("GET", target.getRawPath(),
                left -> HttpRequest.newBuilder(target).timeout(left).GET().build(), GatewayClient::streamOnSuccess, true);
        HttpResponse<InputStream> response = reply.response();
        if (response.statusCode() / 100 != 2) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "the presigned download answered HTTP " + response.statusCode() + ": "
                    + abbreviate(RetryingCalls.drain(response.body()), 200));
        }
        return new Download(response.body(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    public ProcessorSpec getProcessor(ProcessorRef ref) {
        return send("GET", processorPath(ref), null, ProcessorSpec.class);
    }

    public List<ProcessorSpec> listProcessors() {
        return send("GET", "/v1/processors", null, listOf(ProcessorSpec.class));
    }

    /** {@code PUT /v1/processors/{ns}/{name}/versions/{ver}}: stores the spec with its pins. */
    public ProcessorSpec putProcessor(ProcessorSpec spec) {
        return send("PUT", processorPath(spec.ref()), Json.write(spec), ProcessorSpec.class);
    }

    /** As {@link #putProcessor(ProcessorSpec)}; {@code override} repins an already pinned version on purpose (recorded). */
    public ProcessorSpec putProcessor(ProcessorSpec spec, boolean override) {
        return send("PUT", processorPath(spec.ref()) + (override ? "?" + Catalogue.OVERRIDE_PARAM + "=true" : ""), Json.write(spec),
                ProcessorSpec.class);
    }

    /** {@code GET /v1/session}: who the token acts as (401 for an unknown token). */
    public Session.Info session() {
        return send("GET", "/v1/session", null, Session.Info.class);
    }

    /**
     * {@code POST /v1/tokens}: the new token, shown this once. When a retry finds the token its
     * lost first attempt made (200, no secret), that token is revoked and one more is created, so
     * the caller ends with exactly one token and its secret.
     */
    public ApiToken.Created createToken(ApiToken.Create request) {
        for (int round = 1; ; round++) {
            RetryingCalls.Reply<String> reply = exchange("POST", "/v1/tokens", Json.write(request), nextIdempotencyKey());
            ApiToken.Created created = read("POST", "/v1/tokens", reply.response(), ApiToken.Created.class);
            if (created.token() != null) {
                return created;
            }
            if (round == 2) {
                throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway answered POST /v1/tokens with a fresh key but no token");
            }
            revokeToken(created.id()); // its secret went with the lost answer: nobody can use it

        }
    }

    /** {@code GET /v1/tokens[?all=true]}: names, scopes and dates, never a token. */
    public List<ApiToken.Info> listTokens(boolean all) {
        return send("GET", "/v1/tokens" + (all ? "?all=true" : ""), null, listOf(ApiToken.Info.class));
    }

    /** {@code DELETE /v1/tokens/{id}}: refused everywhere from now on. */
    public void revokeToken(String id) {
        exchange("DELETE", "/v1/tokens/" + segment(id), null);
    }

    /** {@code POST .../builds}: records an image built locally by {@code hangar build}. */
    public LocalBuild recordBuild(ProcessorRef ref, LocalBuild build) {
        return send("POST", processorPath(ref) + "/builds", Json.write(build), LocalBuild.class);
    }

    public List<Plan> listPlans() {
        return send("GET", "/v1/plans", null, listOf(Plan.class));
    }

    public Plan getPlan(String key) {
        return send("GET", "/v1/plans/" + segment(key), null, Plan.class);
    }

    /** {@code PUT /v1/plans/{key}}: creates the plan or changes its limit. */
    public Plan putPlan(String key, double limit) {
        return send("PUT", "/v1/plans/" + segment(key), Json.write(new Plan.Limit(limit)), Plan.class);
    }

    /** {@code POST /v1/deployments}: 202 with the deployment as recorded (its status follows the executors). */
    public Deploy.Deployment deploy(Deploy.Request request) {
        return send("POST", "/v1/deployments", Json.write(request), Deploy.Deployment.class);
    }

    /** {@code GET /v1/deployments/status?ref=&env=&branch=}. */
    public Deploy.Deployment deploymentStatus(String ref, String env, String branch) {
        return send("GET", "/v1/deployments/status" + target(ref, env, branch), null, Deploy.Deployment.class);
    }

    /** {@code POST /v1/deployments/verify}: the report, whether or not the digests match. */
    public Deploy.VerifyReport verifyDeployment(Deploy.VerifyRequest request) {
        return send("POST", "/v1/deployments/verify", Json.write(request), Deploy.VerifyReport.class);
    }

    /** {@code GET /v1/deployments/logs?...&since=&limit=}. */
    public Deploy.Logs deploymentLogs(String ref, String env, String branch, java.time.Instant since, Integer limit) {
        return send("GET", "/v1/deployments/logs" + target(ref, env, branch) + (since == null ? "" : "&since=" + segment(since.toString()))
                + (limit == null ? "" : "&limit=" + limit), null, Deploy.Logs.class);
    }

    /** {@code POST /v1/deployments/secrets}: values go only into this request's body; the report has names only. */
    public Deploy.SecretReport syncSecrets(Deploy.SecretSync sync) {
        return send("POST", "/v1/deployments/secrets", Json.write(sync), Deploy.SecretReport.class);
    }

    private static String target(String ref, String env, String branch) {
        return "?ref=" + segment(ref) + "&env=" + segment(env) + (branch == null ? "" : "&branch=" + segment(branch));
    }

    /** {@code PUT /v1/secrets/{name}}: 204; the value goes only into this request's body. */
    public void putSecret(String name, String value) {
        exchange("PUT", "/v1/secrets/" + segment(name), Json.write(new SecretValue(value)));
    }

    /** Secret names only; the gateway never returns values. */
    public List<String> listSecrets() {
        return send("GET", "/v1/secrets", null, listOf(String.class));
    }

    public void deleteSecret(String name) {
        exchange("DELETE", "/v1/secrets/" + segment(name), null);
    }

    /**
     * {@code POST /v1/attachments?filename=…}: streams the file as the body; 201 with where it is
     * stored (content-addressed, so the same bytes always give the same path).
     */
    public OutputRef upload(Path file, String filename) {
        String path = "/v1/attachments?filename=" + URLEncoder.encode(filename, StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file); // opened again by each attempt
        } catch (java.io.FileNotFoundException e) {
            throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        }
        String key = nextIdempotencyKey();
        // no answer deadline: the answer comes after the whole file is sent, however long that takes
        RetryingCalls.Reply<String> reply = call("POST", "/v1/attachments", left -> request(path).header("Accept", "application/json")
                .header("Content-Type", "application/octet-stream").header(IDEMPOTENCY_HEADER, key).POST(body).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), false);
        if (reply.failed()) {
            throw failure("POST", "/v1/attachments", reply);
        }
        return read("POST", "/v1/attachments", reply.response(), OutputRef.class);
    }

    /** An artefact's bytes as they arrive, and the length the gateway announced (-1 if none). */
    public record Download(InputStream body, long length) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * {@code GET /v1/artifacts/{key}}: a stream, not a buffer, so any size fits. A redirect (to a
     * presigned storage URL) is followed, without the token when it leads to another origin.
     */
    public Download openArtifact(String artifactPath) {
        String key = CliError.check(() -> ArtifactPath.toKey(artifactPath));
        StringBuilder path = new StringBuilder("/v1/artifacts");
        for (String s : key.split("/", -1)) {
            path.append('/').append(segment(s));
        }
        URI first = URI.create(base + path.toString());
        URI uri = first;
        for (int redirects = 0; ; redirects++) {
            URI target = uri;
            RetryingCalls.Reply<InputStream> reply = call("GET", path.toString(), left -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(left).GET();
                if (token != null && sameOrigin(target, base)) {
                    b.header("Authorization", "Bearer " + token);
                }
                return b.build();
            }, GatewayClient::streamOnSuccess, true);
            HttpResponse<InputStream> response = reply.response();
            int status = response.statusCode();
            var location = response.headers().firstValue("Location");
            if (status / 100 == 3 && location.isPresent() && redirects < MAX_REDIRECTS) {
                RetryingCalls.drain(response.body());
                uri = uri.resolve(location.get());
                continue;
            }
            if (status / 100 != 2) {
                throw failure("GET", path.toString(), reply);
            }
            return new Download(response.body(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
        }
    }

    /** A success streams as it arrives; any other answer is small, read whole, so a retry can look at it and drop it. */
    private static HttpResponse.BodySubscriber<InputStream> streamOnSuccess(HttpResponse.ResponseInfo info) {
        if (info.statusCode() / 100 == 2) {
            return HttpResponse.BodySubscribers.ofInputStream();
        }
        return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), ByteArrayInputStream::new);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
    }

    /** The WebSocket URL of a run's events, for when the gateway did not name one. */
    public URI streamUri(String executionId) {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority() + basePath() + "/v1/runs/" + segment(executionId) + "/stream");
    }

    /** The stream URL the gateway sent, made absolute against the gateway URL if it is relative. */
    public URI streamUri(String executionId, String sent) {
        if (sent == null || sent.isBlank()) {
            return streamUri(executionId);
        }
        URI uri = URI.create(sent);
        if (uri.isAbsolute()) {
            return uri;
        }
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority()).resolve(uri);
    }

    /** HTTP status of {@code GET /q/health/ready}, or -1 when the gateway does not answer. */
    public int readiness() {
        Duration wait = settings.timeout().compareTo(Duration.ofSeconds(3)) < 0 ? settings.timeout() : Duration.ofSeconds(3);
        HttpRequest request = request("/q/health/ready").timeout(wait).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private <T> T send(String method, String path, String json, Class<T> type) {
        return send(method, path, json, CliJson.LENIENT.constructType(type));
    }

    private <T> T send(String method, String path, String json, JavaType type) {
        return read(method, path, exchange(method, path, json), type);
    }

    private static JavaType listOf(Class<?> element) {
        return CliJson.LENIENT.getTypeFactory().constructCollectionType(List.class, element);
    }

    /** The 2xx answer; any other status is the gateway's error, as a {@link CliError}. A POST gets a fresh key. */
    private HttpResponse<String> exchange(String method, String path, String json) {
        return exchange(method, path, json, "POST".equals(method) ? nextIdempotencyKey() : null).response();
    }

    /** As above, with the key the caller chose (null: none), and how many attempts it took. */
    private RetryingCalls.Reply<String> exchange(String method, String path, String json, String idempotencyKey) {
        RetryingCalls.Reply<String> reply = call(method, path, left -> {
            HttpRequest.Builder b = request(path).timeout(left).header("Accept", "application/json");
            if (idempotencyKey != null) {
                b.header(IDEMPOTENCY_HEADER, idempotencyKey);
            }
            if (json != null) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            return b.build();
        }, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), true);
        if (reply.failed()) {
            throw failure(method, path, reply);
        }
        return reply;
    }

    /**
     * One ready-made request as one logical call: retried like every other (a POST without an
     * {@value #IDEMPOTENCY_HEADER} gets one), any answer returned as it is, no answer a {@link CliError}.
     */
    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        HttpRequest keyed = request;
        if ("POST".equals(request.method()) && request.headers().firstValue(IDEMPOTENCY_HEADER).isEmpty()) {
            keyed = HttpRequest.newBuilder(request, (name, value) -> true).header(IDEMPOTENCY_HEADER, nextIdempotencyKey()).build();
        }
        HttpRequest sent = keyed;
        return call(request.method(), request.uri().getRawPath(), left -> sent, handler, false).response();
    }

    private <T> RetryingCalls.Reply<T> call(String method, String path, Function<Duration, HttpRequest> build,
                              HttpResponse.BodyHandler<T> handler, boolean bounded) {
        return calls.call(method, path, build, handler, bounded);
    }


    private static <T> T read(String method, String path, HttpResponse<String> response, Class<T> type) {
        return read(method, path, response, CliJson.LENIENT.constructType(type));
    }

    /** The answer's body as a contract record. */
    private static <T> T read(String method, String path, HttpResponse<String> response, JavaType type) {
        String body = response.body();
        JsonNode node;
        try {
            node = body == null || body.isEmpty() ? null : CliJson.parse(body);
        } catch (JsonProcessingException e) {
            throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway answered " + method + " " + path
                    + " with HTTP " + response.statusCode() + " but not with JSON", e);
        }
        if (node == null) {
            throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway answered " + method + " " + path
                    + " with HTTP " + response.statusCode() + " and no body");
        }
        return CliJson.convert(node, type);
    }

    /** The final answer of a call that failed, as a {@link CliError} that knows its status and attempts. */
    private CliError failure(String method, String path, RetryingCalls.Reply<?> reply) {
        int status = reply.response().statusCode();
        CliError e = failure(method, path, status, reply.error());
        if (status == 401) {
            e = e.withMessage(e.getMessage() + "; " + (token == null
                    ? "no API key was given: pass --api-key, set $HANGAR_API_KEY, or run `hangar login`"
                    : "the gateway refused the API key from " + (settings.tokenSource() == null ? "the command"
                            : settings.tokenSource()) + ": check the key, or run `hangar login`"));
        }
        if (status == 429 || status == 503) {
            var retryAfter = reply.response().headers().firstValue("Retry-After");
            if (retryAfter.isPresent()) {
                e = e.withMessage(e.getMessage() + " (the gateway asks to wait " + retryAfter.get() + " s)");
            }
        }
        return reply.attempts() > 1 ? e.after(reply.attempts(), null) : e;
    }

    /** problem+json keeps the gateway's code; any other error body is classified by status. */
    static CliError failure(String method, String path, int status, String body) {
        try {
            JsonNode node = CliJson.parse(body);
            if (node != null && node.hasNonNull("code")) {
                Problem p = CliJson.LENIENT.treeToValue(node, Problem.class);
                return CliError.from(p, node.path("code").asText()).withStatus(status);
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // not a problem document; classified below
        }
        ErrorCode code = switch (status) {
            case 401, 403 -> ErrorCode.ERR_UNAUTHORIZED;
            case 404 -> ErrorCode.ERR_BAD_REQUEST;
            case 422 -> ErrorCode.ERR_INPUT_INVALID;
            case 429 -> ErrorCode.ERR_RATE_LIMITED;
            case 408, 502, 503, 504 -> ErrorCode.ERR_UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.ERR_INTERNAL : ErrorCode.ERR_BAD_REQUEST;
        };
        String excerpt = body == null || body.isBlank() ? "" : ": " + abbreviate(body.strip(), 200);
        return new CliError(code, "the gateway answered " + method + " " + path + " with HTTP " + status + excerpt).withStatus(status);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private String basePath() {
        String p = base.getRawPath();
        return p == null ? "" : p;
    }

    private static String processorPath(ProcessorRef ref) {
        return "/v1/processors/" + segment(ref.namespace()) + "/" + segment(ref.name()) + "/versions/" + ref.version();
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s, int max) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }
}
