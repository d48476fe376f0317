package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The deploy control plane (docs/deploy.md): a processor version deployed to an environment,
 * bound to one image digest, kept warm by the executors of its pool. Every rule (environments,
 * the digest-only image form, deployment names) is written here once for gateway, registry,
 * executor and CLI.
 */
public final class Deploy {
    /** The environments a deployment may name. */
    public static final List<String> ENVS = List.of("dev", "staging", "prod");
    public static final String DEV = "dev";
    public static final int MAX_MIN_WARM = ProcessorSpec.Warm.MAX_CONTAINERS;
    public static final int SCHEMA_VERSION = 1;

    private static final Pattern DIGEST_FORM = Pattern.compile("([a-z0-9][a-z0-9._:/-]*[a-z0-9])@(sha256:[0-9a-f]{64})");
    private static final Pattern TAGGED = Pattern.compile("([a-z0-9][a-z0-9._:/-]*?)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?");
    private static final Pattern NAME_PART = Pattern.compile("[^a-z0-9]+");

    private Deploy() {}

    /** Returns the environment, or throws {@link ErrorCode#ERR_OPTION_INVALID} naming the allowed ones. */
    public static String requireEnv(String env) {
        if (env == null || !ENVS.contains(env)) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "env '" + env + "' is not one of " + String.join(", ", ENVS));
        }
        return env;
    }

    /** The Kafka key of a deployment's commands and events: {@code ns/name@ver:env}. */
    public static String key(ProcessorRef ref, String env) {
        return ref + ":" + env;
    }

    /**
     * The deployment's name: {@code <ns>-<name>-dev-<branch>-<user>} in dev (one per branch and
     * user), {@code <ns>-<name>-v<ver>} elsewhere. Branch and user are folded to {@code [a-z0-9-]}.
     */
    public static String name(ProcessorRef ref, String env, String branch, String user) {
        requireEnv(env);
        if (!DEV.equals(env)) {
            return ref.slug();
        }
        return ref.namespace() + "-" + ref.name() + "-dev-" + fold(branch == null || branch.isBlank() ? "main" : branch, 40)
                + "-" + fold(user, 40);
    }

    private static String fold(String text, int max) {
        String folded = NAME_PART.matcher(String.valueOf(text).toLowerCase(Locale.ROOT)).replaceAll("-").replaceAll("^-+|-+$", "");
        folded = folded.length() > max ? folded.substring(0, max).replaceAll("-+$", "") : folded;
        return folded.isEmpty() ? "x" : folded;
    }

    /** Returns {@code minWarm} (default 0), or throws {@link ErrorCode#ERR_OPTION_INVALID} out of 0..32. */
    public static int requireMinWarm(Integer minWarm) {
        int n = minWarm == null ? 0 : minWarm;
        if (n < 0 || n > MAX_MIN_WARM) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "min_warm must be between 0 and " + MAX_MIN_WARM + ", got " + n);
        }
        return n;
    }

    /**
     * An image by digest, {@code repo@sha256:<64 hex>}. A tag (or nothing) is refused: a tag can
     * move, a deployment is bound to one image.
     */
    public record OciRef(String repository, String digest) {
        public static OciRef parse(String text) {
            var m = text == null ? null : DIGEST_FORM.matcher(text.strip());
            if (m != null && m.matches()) {
                return new OciRef(m.group(1), m.group(2));
            }
            var tagged = text == null ? null : TAGGED.matcher(text.strip());
            String repo = tagged != null && tagged.matches() ? tagged.group(1) : "<repository>";
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "--oci '" + text + "' is not by digest; a deployment is "
                    + "bound to one image, so give it as " + repo + "@sha256:<64 hex digits> (the digest `docker push` or "
                    + "`hangar push` printed)");
        }

        @JsonValue
        @Override
        public String toString() {
            return repository + "@" + digest;
        }
    }

    /** A deployment's state, its transitions in one table (events out of order are ignored). */
    public enum Status {
        REQUESTED, DEPLOYED, VERIFIED, FAILED;

        private static final Map<Status, Set<Status>> NEXT = Map.of(
                REQUESTED, EnumSet.of(DEPLOYED, VERIFIED, FAILED),
                DEPLOYED, EnumSet.of(VERIFIED, FAILED, REQUESTED),
                VERIFIED, EnumSet.of(FAILED, REQUESTED, DEPLOYED),
                FAILED, EnumSet.of(REQUESTED, DEPLOYED, VERIFIED));

        public boolean canMoveTo(Status next) {
            return NEXT.get(this).contains(next);
        }

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        public static Status fromWire(String s) {
            return WireEnums.parse(Status.class, "status", s);
        }
    }

    /** What an executor reports about a deployment: pulled it, checked its digest, or could not. */
    public enum EventType {
        DEPLOYED, VERIFIED, FAILED;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        /** The deployment status this event moves it to. */
        public Status status() {
            return Status.valueOf(name());
        }
    }

    /**
     * Body of {@code POST /v1/deployments}. {@code branch} names a dev deployment (with the
     * caller's owner); {@code pool} the executors that keep it (absent: the default executors).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(String ref, String env, String oci, Integer minWarm, String pool, String branch) {}

    /**
     * How a deployment (or one executor's placement of it) is doing. An executor re-reports each
     * deployment it holds every {@code hangar.executor.deploy.report-interval}; one silent for
     * longer than the registry's {@code hangar.registry.deploy.stale-after} (killed, cut off) is
     * {@code unhealthy} and its warm containers no longer count: status never shows what nobody
     * has confirmed lately.
     */
    public enum Health {
        /** Reported lately, and at least {@code min_warm} containers READY. */
        HEALTHY,
        /** Reported lately, but fewer READY containers than {@code min_warm} (one died and is being replaced). */
        DEGRADED,
        /** Failed, or silent for longer than the registry's {@code stale-after}. */
        UNHEALTHY;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }
    }

    /**
     * A placement's health {@code now}: unhealthy when its last word was {@code failed} or came
     * more than {@code staleAfter} ago ({@code reportedAt}, the registry's clock), degraded under
     * {@code minWarm} READY containers, else healthy.
     */
    public static Health health(EventType state, int warm, int minWarm, Instant reportedAt, Instant now, java.time.Duration staleAfter) {
        if (state == EventType.FAILED || reportedAt == null || reportedAt.plus(staleAfter).isBefore(now)) {
            return Health.UNHEALTHY;
        }
        return state == EventType.VERIFIED && warm >= minWarm ? Health.HEALTHY : Health.DEGRADED;
    }

    /**
     * Where a deployment is: one executor's last word on it ({@code since} it has held it),
     * when the registry last heard from it ({@code reported_at}) and its {@link Health} as of the
     * read; {@code warm} is what it last reported, counted by {@link Deployment#warm()} only while
     * the placement is not unhealthy.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Placement(String executorId, EventType state, String digest, int warm, Instant since, String message,
                            Instant reportedAt, Health health) {}

    /**
     * A deployment as the registry records it ({@code GET /v1/deployments/...}): bound digest,
     * who deployed it, its status and each executor's placement.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(value = {"warm", "health"}, allowGetters = true)
    public record Deployment(String name, ProcessorRef ref, String env, String image, String digest, int minWarm, String pool,
                             String owner, Status status, Instant createdAt, Instant updatedAt, List<Placement> executors) {
        public Deployment {
            executors = executors == null ? List.of() : List.copyOf(executors);
        }

        /** READY warm containers over the executors that are not {@link Health#UNHEALTHY} (a silent one's count is not believed). */
        @com.fasterxml.jackson.annotation.JsonProperty("warm")
        public int warm() {
            return executors.stream().filter(p -> p.health() != Health.UNHEALTHY).mapToInt(Placement::warm).sum();
        }

        /**
         * Healthy when verified with at least {@code min_warm} containers READY on executors heard
         * from lately (and, with {@code min_warm} 0, one such executor); unhealthy when failed or
         * no executor is; degraded in between.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("health")
        public Health health() {
            long live = executors.stream().filter(p -> p.health() != Health.UNHEALTHY).count();
            if (status == Status.FAILED || live == 0) {
                return Health.UNHEALTHY;
            }
            return status == Status.VERIFIED && warm() >= minWarm ? Health.HEALTHY : Health.DEGRADED;
        }

        public String key() {
            return Deploy.key(ref, env);
        }
    }

    /** {@code hangar.deploy.requested}: keep this image warm (key {@code ns/name@ver:env}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Command(Integer schemaVersion, String name, ProcessorRef ref, String env, String image, int minWarm, String pool,
                          String owner, Instant createdAt, String traceparent) {
        /** The manifest digest part of {@link #image()}. */
        public String digest() {
            return OciRef.parse(image).digest();
        }

        /** The deployment it is about, {@code env/name}: a newer command for another version of the name replaces it. */
        public String id() {
            return env + "/" + name;
        }

        /** Whether it was made after {@code other} (of the same deployment); one without {@code created_at} is newer than none. */
        public boolean newerThan(Command other) {
            return createdAt != null && (other.createdAt == null || createdAt.isAfter(other.createdAt));
        }
    }

    /** {@code hangar.deploy.events}: one executor's report on a deployment (key {@code ns/name@ver:env}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(Integer schemaVersion, String name, ProcessorRef ref, String env, EventType type, String digest, int warm,
                        String executorId, String message, Instant at) {}

    /** Body of {@code POST /v1/deployments/verify}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VerifyRequest(String ref, String env, String oci, String branch) {}

    /** The answer of a verify: both digests, and whether the OCI registry holds the given one. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VerifyReport(ProcessorRef ref, String env, String name, boolean match, String deployedDigest, String givenDigest,
                               boolean ociHasManifest) {}

    /**
     * Body of {@code POST /v1/deployments/secrets}: values by name (never logged, never returned:
     * see {@link #toString()}). {@code check} changes nothing; {@code prune} removes what the spec no longer names.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SecretSync(String ref, String env, Map<String, String> values, Boolean check, Boolean prune) {
        public SecretSync {
            values = values == null ? Map.of() : Map.copyOf(values);
        }

        @Override
        public String toString() {
            return "Deploy.SecretSync[" + ref + ":" + env + ", names " + values.keySet() + ", values **redacted**]";
        }
    }

    /** What a sync did (or with {@code check}, would do): names only. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SecretReport(ProcessorRef ref, String env, boolean applied, List<String> required, List<String> added,
                               List<String> updated, List<String> unchanged, List<String> missing, List<String> pruned,
                               List<String> extra) {}

    /** {@code GET /v1/deployments/logs}: the deployment's events and its runs' log lines, oldest first. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LogLine(Instant at, String source, String executionId, String level, String message) {}

    /** A page of {@link LogLine}s and the cursor ({@code since}) to follow from. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Logs(List<LogLine> lines, Instant next) {
        public Logs {
            lines = List.copyOf(lines);
        }
    }
}
