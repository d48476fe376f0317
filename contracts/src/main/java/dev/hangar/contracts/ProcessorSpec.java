package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * A processor version as its {@code hangar.yaml} (kept beside the source) and the registry
 * describe it.
 *
 * @param ref          {@code ns/name@version}
 * @param image        the OCI repository without tag or digest, e.g. {@code 127.0.0.1:5000/examples/echo}
 * @param digests      pinned manifest digest per {@link Platform} wire name ({@code amd64}, {@code arm64})
 * @param runtime      resource limits and deadline
 * @param secrets      names of the secrets real mode needs (values never travel in specs)
 * @param inputsSchema the JSON Schema (draft 2020-12) that {@code inputs} must satisfy
 * @param outputs      the outputs it declares
 * @param network      where real mode may connect to (none when absent); mock mode never has a network
 * @param retry        how often a run may be attempted after infrastructure failures; absent = {@link Retry#DEFAULT}
 * @param warm         warm containers kept for it (docs/warm-pool.md); absent = none, every run starts its own container
 * @param server       what serves predictions inside the image: {@value #SERVER_HANGAR} (absent: the Hangar runtime on
 *                     the run folder's unix socket) or {@value #SERVER_COG_HTTP} (an unmodified Cog image's HTTP
 *                     server on TCP port 5000, reached through a forwarder sidecar; mock mode only, no warm pool)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessorSpec(ProcessorRef ref, String description, String image, Map<String, String> digests,
                            Resources runtime, List<String> secrets, JsonNode inputsSchema,
                            List<OutputDecl> outputs, Network network, Retry retry, Warm warm, String server) {
    /** The Hangar runtime serves the image (the default). */
    public static final String SERVER_HANGAR = "hangar";
    /** An unmodified Cog image: Cog's HTTP server on TCP port 5000 inside it. */
    public static final String SERVER_COG_HTTP = "cog-http";

    public ProcessorSpec {
        digests = digests == null ? Map.of() : Map.copyOf(digests);
        runtime = runtime == null ? Resources.DEFAULT : runtime;
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** A spec served by the Hangar runtime ({@code server} absent). */
    public ProcessorSpec(ProcessorRef ref, String description, String image, Map<String, String> digests,
                         Resources runtime, List<String> secrets, JsonNode inputsSchema, List<OutputDecl> outputs,
                         Network network, Retry retry, Warm warm) {
        this(ref, description, image, digests, runtime, secrets, inputsSchema, outputs, network, retry, warm, null);
    }

    /** Whether the image is an unmodified Cog image ({@code server: cog-http}) rather than one FROM the Hangar runtime. */
    public boolean cogHttp() {
        return SERVER_COG_HTTP.equals(server);
    }

    /** Wire key → what is wrong with {@code server}: an unknown value, or a Cog image given a warm pool. */
    public Map<String, String> serverProblems() {
        var problems = new java.util.LinkedHashMap<String, String>();
        if (server != null && !SERVER_HANGAR.equals(server) && !SERVER_COG_HTTP.equals(server)) {
            problems.put("server", "must be '" + SERVER_HANGAR + "' or '" + SERVER_COG_HTTP + "', got '" + server + "'");
        } else if (cogHttp() && warmPool().enabled()) {
            problems.put("warm", "is not supported for server '" + SERVER_COG_HTTP
                    + "' (unmodified Cog images run cold, one container per run); remove the warm block");
        }
        return problems;
    }

    /** A spec that allows no egress and has the default retry policy ({@code network}, {@code retry} absent). */
    public ProcessorSpec(ProcessorRef ref, String description, String image, Map<String, String> digests,
                         Resources runtime, List<String> secrets, JsonNode inputsSchema, List<OutputDecl> outputs) {
        this(ref, description, image, digests, runtime, secrets, inputsSchema, outputs, null, null);
    }

    /** A spec without warm containers ({@code warm} absent): every run starts a container of its own. */
    public ProcessorSpec(ProcessorRef ref, String description, String image, Map<String, String> digests,
                         Resources runtime, List<String> secrets, JsonNode inputsSchema, List<OutputDecl> outputs,
                         Network network, Retry retry) {
        this(ref, description, image, digests, runtime, secrets, inputsSchema, outputs, network, retry, null);
    }

    /** The warm pool settings in force: {@link Warm#NONE} (no warm containers) when the spec names none. */
    public Warm warmPool() {
        return warm == null ? Warm.NONE : warm;
    }

    /**
     * Warm containers for this processor (docs/warm-pool.md): started once, each serving up to
     * {@code max_concurrency} runs at a time, each run in a folder of its own. {@code scope}
     * says who may share one: {@code owner} (the default) keeps a container to the runs of one
     * owner; {@code shared} lets runs of different owners use the same container in mock mode,
     * which the spec may only say of a processor that keeps no state between runs (real mode is
     * always per owner: its secrets are delivered per container).
     *
     * @param minWarm        containers kept once started, however idle (0..{@value #MAX_CONTAINERS})
     * @param maxWarm        the most containers per processor, mode and owner; 0 = no warm pool
     * @param maxConcurrency runs one container serves at the same time (1..{@value #MAX_CONCURRENCY})
     * @param idleSeconds    how long a container above {@code min_warm} may stay idle before it is removed
     * @param scope          {@code owner}, {@code shared} or {@code session} (one container per training session)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Warm(Integer minWarm, Integer maxWarm, Integer maxConcurrency, Integer idleSeconds, String scope) {
        public static final int MAX_CONTAINERS = 32;
        public static final int MAX_CONCURRENCY = 64;
        public static final int MAX_IDLE_SECONDS = 86_400;
        public static final String OWNER = "owner";
        public static final String SHARED = "shared";
        /** One container per training session (the command's {@code session}): it keeps the session's state in its process. */
        public static final String SESSION = "session";
        /** No warm pool: the cold path, one container per run. */
        public static final Warm NONE = new Warm(0, 0, 1, 300, OWNER);

        /** A key left out takes its default: min 0, max 1, concurrency 1, idle 300 s, scope owner. */
        public Warm {
            minWarm = minWarm == null ? 0 : minWarm;
            maxWarm = maxWarm == null ? 1 : maxWarm;
            maxConcurrency = maxConcurrency == null ? 1 : maxConcurrency;
            idleSeconds = idleSeconds == null ? 300 : idleSeconds;
            scope = scope == null ? OWNER : scope;
        }

        /** Whether runs go to warm containers at all. */
        public boolean enabled() {
            return maxWarm > 0;
        }

        /** Whether runs of different owners may share a container (mock mode only). */
        public boolean shared() {
            return SHARED.equals(scope);
        }

        /** Whether each training session gets a container of its own (docs/training-sessions.md). */
        public boolean perSession() {
            return SESSION.equals(scope);
        }

        /** Wire key → what is wrong, for each value out of range. */
        public Map<String, String> problems() {
            var problems = new java.util.LinkedHashMap<String, String>();
            if (maxWarm < 0 || maxWarm > MAX_CONTAINERS) {
                problems.put("warm.max_warm", "must be between 0 and " + MAX_CONTAINERS + ", got " + maxWarm);
            }
            if (minWarm < 0 || minWarm > maxWarm) {
                problems.put("warm.min_warm", "must be between 0 and max_warm (" + maxWarm + "), got " + minWarm);
            }
            if (maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY) {
                problems.put("warm.max_concurrency", "must be between 1 and " + MAX_CONCURRENCY + ", got " + maxConcurrency);
            }
            if (idleSeconds < 1 || idleSeconds > MAX_IDLE_SECONDS) {
                problems.put("warm.idle_seconds", "must be between 1 and " + MAX_IDLE_SECONDS + " seconds, got " + idleSeconds);
            }
            if (!OWNER.equals(scope) && !SHARED.equals(scope) && !SESSION.equals(scope)) {
                problems.put("warm.scope", "must be '" + OWNER + "', '" + SHARED + "' or '" + SESSION + "', got '" + scope + "'");
            }
            if (SESSION.equals(scope)) { // one process holds the session's state and runs its calls one at a time
                if (maxWarm != 1) {
                    problems.put("warm.max_warm", "must be 1 with scope 'session' (one container holds a session), got " + maxWarm);
                }
                if (minWarm != 0) {
                    problems.put("warm.min_warm", "must be 0 with scope 'session' (a session's container starts with it), got " + minWarm);
                }
                if (maxConcurrency != 1) {
                    problems.put("warm.max_concurrency", "must be 1 with scope 'session' (a session's calls run in order), got "
                            + maxConcurrency);
                }
            }
            return problems;
        }
    }

    /** The egress rules in force: {@link Network#NONE} when the spec names none. */
    public Network egress() {
        return network == null ? Network.NONE : network;
    }

    /**
     * Where a real-mode container may connect: exact {@code host:port} pairs, reached only through
     * the executor's egress proxy (the container itself has no network). Names are resolved by the
     * proxy; a name may not resolve to a loopback or link-local address (write the IP to allow one).
     *
     * @param allow {@code host:port} entries: a DNS name, an IPv4 literal or a bracketed IPv6 literal, and a port
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Network(List<String> allow) {
        public static final Network NONE = new Network(List.of());
        public static final int MAX_ENTRIES = 64;
        private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(
                "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
        private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
                "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
        private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("\\[[0-9a-f:.]{2,45}]");

        public Network {
            allow = allow == null ? List.of() : List.copyOf(allow);
        }

        /** One allowed destination; {@code host} lower-case, an IPv6 literal with its brackets. */
        public record Endpoint(String host, int port) {
            /** Parses {@code host:port}; null when it is not one (see {@link #problem}). */
            public static Endpoint parse(String text) {
                if (text == null) {
                    return null;
                }
                int colon = text.lastIndexOf(':');
                if (colon <= 0 || colon == text.length() - 1) {
                    return null;
                }
                String host = text.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
                String port = text.substring(colon + 1);
                if (!port.chars().allMatch(Character::isDigit) || port.length() > 5) {
                    return null;
                }
                int number = Integer.parseInt(port);
                boolean hostOk = IPV4.matcher(host).matches() || IPV6.matcher(host).matches()
                        || (NAME.matcher(host).matches() && !host.chars().allMatch(c -> Character.isDigit(c) || c == '.'));
                return hostOk && number >= 1 && number <= 65535 ? new Endpoint(host, number) : null;
            }

            /** Whether the host is an IP literal (the proxy then connects to exactly it). */
            public boolean literal() {
                return IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
            }

            @Override
            public String toString() {
                return host + ":" + port;
            }
        }

        /** The parsed entries (invalid ones skipped: a validated spec has none). */
        public List<Endpoint> endpoints() {
            return allow.stream().map(Endpoint::parse).filter(java.util.Objects::nonNull).distinct().toList();
        }

        /** Whether {@code host:port} is exactly one of the entries. */
        public boolean allows(String host, int port) {
            var wanted = Endpoint.parse(host + ":" + port);
            return wanted != null && endpoints().contains(wanted);
        }

        /** The one validation rule for the allow-list: JSON pointer below the spec → what is wrong. */
        public Map<String, String> problems() {
            var problems = new java.util.LinkedHashMap<String, String>();
            if (allow.size() > MAX_ENTRIES) {
                problems.put("/network/allow", "may list at most " + MAX_ENTRIES + " host:port entries");
            }
            for (int i = 0; i < allow.size(); i++) {
                if (Endpoint.parse(allow.get(i)) == null) {
                    problems.put("/network/allow/" + i, "must be host:port (a DNS name, an IPv4 address or [IPv6], "
                            + "and a port 1-65535; no wildcards, no scheme), got '" + allow.get(i) + "'");
                }
            }
            return problems;
        }
    }

    /** Container limits for one run. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Resources(double cpu, int memoryMb, int gpus, int timeoutSeconds) {
        public static final Resources DEFAULT = new Resources(1.0, 512, 0, 300);
        public static final int MAX_TIMEOUT_SECONDS = 86_400;

        /**
         * The one range rule for every limit, wherever it is set (spec, adapter options, run
         * timeout): wire key → what is wrong, for each given (non-null) value out of range.
         */
        public static Map<String, String> problems(Double cpu, Integer memoryMb, Integer gpus, Integer timeoutSeconds) {
            var problems = new java.util.LinkedHashMap<String, String>();
            if (cpu != null && (cpu <= 0 || cpu > 64)) {
                problems.put("cpu", "must be in (0, 64]");
            }
            if (memoryMb != null && (memoryMb < 16 || memoryMb > 1 << 20)) {
                problems.put("memory_mb", "must be between 16 and 1048576");
            }
            if (gpus != null && gpus < 0) {
                problems.put("gpus", "must be 0 or more");
            }
            if (timeoutSeconds != null && (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS)) {
                problems.put("timeout_seconds", "must be between 1 and " + MAX_TIMEOUT_SECONDS + " seconds");
            }
            return problems;
        }

        /** Returns a run deadline, or throws {@link ErrorCode#ERR_OPTION_INVALID} naming {@code field}. */
        public static Integer requireTimeout(String field, Integer seconds) {
            String problem = problems(null, null, null, seconds).get("timeout_seconds");
            if (problem != null) {
                throw new HangarException(ErrorCode.ERR_OPTION_INVALID, field + " " + problem + ", got " + seconds);
            }
            return seconds;
        }
    }

    /**
     * How a run of this processor is attempted again. Only infrastructure failures are retried
     * ({@link #retries}): a lost executor, a container that died before answering, an unreachable
     * dependency, an upload the store refused; a processor error is final. {@code max_attempts}
     * counts every attempt, the first included, and also bounds the attempts that follow a lost
     * executor; {@code backoff_seconds} is the pause before an attempt that follows a failed one.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Retry(Integer maxAttempts, Integer backoffSeconds) {
        /** Three attempts, 5 s apart: one lost executor or flaky dependency does not fail a run. */
        public static final Retry DEFAULT = new Retry(3, 5);

        /** A key left out takes its default (3 attempts, 5 s). */
        public Retry {
            maxAttempts = maxAttempts == null ? 3 : maxAttempts;
            backoffSeconds = backoffSeconds == null ? 5 : backoffSeconds;
        }
        public static final int MAX_ATTEMPTS = 10;
        public static final int MAX_BACKOFF_SECONDS = 3600;
        private static final java.util.Set<ErrorCode> RETRIED = java.util.EnumSet.of(
                ErrorCode.ERR_CONTAINER_FAILED, ErrorCode.ERR_UNAVAILABLE, ErrorCode.ERR_UPLOAD_FAILED);

        /** Wire key → what is wrong, for each value out of range. */
        public Map<String, String> problems() {
            var problems = new java.util.LinkedHashMap<String, String>();
            if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
                problems.put("retry.max_attempts", "must be between 1 and " + MAX_ATTEMPTS + ", got " + maxAttempts);
            }
            if (backoffSeconds < 0 || backoffSeconds > MAX_BACKOFF_SECONDS) {
                problems.put("retry.backoff_seconds", "must be between 0 and " + MAX_BACKOFF_SECONDS + ", got " + backoffSeconds);
            }
            return problems;
        }

        /** Whether a run that failed with this code may be attempted again (infrastructure, not the processor). */
        public static boolean retries(ErrorCode code) {
            return RETRIED.contains(code);
        }

        /** The pause before the next attempt. */
        public java.time.Duration backoff() {
            return java.time.Duration.ofSeconds(backoffSeconds);
        }
    }

    /** The retry policy in force: the spec's own, else {@link Retry#DEFAULT}. */
    public Retry retryPolicy() {
        return retry == null ? Retry.DEFAULT : retry;
    }

    /** The same spec with other digest pins (none: {@code Map.of()}). */
    public ProcessorSpec withDigests(Map<String, String> pins) {
        return new ProcessorSpec(ref, description, image, pins, runtime, secrets, inputsSchema, outputs, network, retry, warm, server);
    }

    /** One declared output file. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OutputDecl(String name, String mime, String description) {}

    /** The spec with another warm block (a deployment's {@code min_warm}, docs/deploy.md). */
    public ProcessorSpec withWarm(Warm other) {
        return new ProcessorSpec(ref, description, image, digests, runtime, secrets, inputsSchema, outputs, network, retry, other, server);
    }

    public ProcessorSpec withDigest(Platform platform, String digest) {
        var pins = new java.util.HashMap<>(digests);
        pins.put(platform.wire(), digest);
        return withDigests(pins);
    }

    /** The same spec with no digest pins (how the registry stores a version; pins live beside it). */
    public ProcessorSpec withoutDigests() {
        return withDigests(Map.of());
    }

    /** The image reference pinned for a platform, or {@link ErrorCode#ERR_IMAGE_UNPINNED}. */
    public String pinnedImage(Platform platform) {
        String digest = digests.get(platform.wire());
        if (digest == null) {
            throw new HangarException(ErrorCode.ERR_IMAGE_UNPINNED, ref + " has no image digest pinned for platform '"
                    + platform.wire() + "' (pinned: " + (digests.isEmpty() ? "none" : String.join(", ", digests.keySet()))
                    + "); run `hangar push` for that platform");
        }
        return image + "@" + digest;
    }
}
