package dev.hangar.gateway.config;

import dev.hangar.contracts.Platform;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Gateway settings. */
@ConfigMapping(prefix = "hangar.gateway")
public interface GatewayConfig {

    /** The base URL clients reach this gateway at; run and stream URLs are built from it. */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /** This replica's name; its Kafka consumer group for events is {@code hangar-<id>}. */
    @WithDefault("gateway-1")
    String instanceId();

    /** Key material secrets are sealed with; set HANGAR_SECRETS_KEY in production. */
    String secretsKey();

    /** Shared token executors present to read a run's secrets ({@code X-Hangar-Internal-Token}). */
    String internalToken();

    /** Where the internal listener ({@code /internal/**}, executors only) binds; keep it on loopback or a private network. */
    @WithDefault("127.0.0.1")
    String internalHost();

    /** The internal listener's port (HANGAR_GATEWAY_INTERNAL_PORT); {@code /internal/**} is 404 on the public port. */
    @WithDefault("8084")
    int internalPort();

    /**
     * {@code POST /v1/runs} with {@code Prefer: wait} held for their run's end at once
     * (HANGAR_GATEWAY_MAX_WAITING_SUBMITS); past it, a submission is answered 202 at once, as without
     * the header. Each held one is a parked virtual thread and a waiter, nothing on the event loop.
     */
    @WithDefault("1000")
    int maxWaitingSubmits();

    /** Whether /v1 requests need a bearer token (off only in tests). */
    @WithDefault("true")
    boolean authEnabled();

    /** Tokens created at start, {@code owner=token,owner=token} (HANGAR_BOOTSTRAP_TOKENS). */
    Optional<String> bootstrapTokens();

    /** The credit limit of a plan created by its first use. */
    @WithDefault("100")
    double defaultPlanLimit();

    /**
     * How long a spec read from the registry serves later runs of the same ref
     * (HANGAR_GATEWAY_SPEC_CACHE_TTL; 0 = read it for every run). A change made through this
     * replica is seen by the next run; one made through another replica within this long.
     */
    @WithDefault("2s")
    Duration specCacheTtl();

    /** The platform whose pinned digest a run gets when it names none. */
    @WithDefault("amd64")
    Platform defaultPlatform();

    /** The outbox relay that puts committed commands on Kafka (docs/delivery.md, Gateway). */
    Outbox outbox();

    /** The sweeper that ends runs nobody will end. */
    Sweeper sweeper();

    /** Per-owner concurrency and admission limits (docs/delivery.md, Queueing). */
    Queue queue();

    /** Remote runs: the pools of executors this gateway sends {@code adapter: remote} runs to (docs/remote.md). */
    Remote remote();

    /** The WebSocket streams. */
    Stream stream();

    /** Training sessions and the Tinker API (docs/training-sessions.md). */
    TrainingConfig training();

    /** Outbox relay settings. */
    interface Outbox {
        /** How often each replica publishes rows left behind (Kafka was down, a replica died mid-publish). */
        @WithDefault("1s")
        Duration interval();

        /** How long a submission waits for Kafka's ack of its command; past it the relay keeps trying and new submissions get 503. */
        @WithDefault("3s")
        Duration publishWait();

        /** Rows one relay pass publishes at most. */
        @WithDefault("200")
        int batchSize();
    }

    /** Queueing and admission settings. */
    interface Queue {
        /**
         * Runs of one owner dispatched to the executors and not yet ended, at most; more are accepted
         * (202, queued) but held in the gateway and released in submit order as the owner's runs end.
         */
        @WithDefault("32")
        int ownerMaxActive();

        /** Exceptions to owner-max-active, {@code owner=N,owner=N} (HANGAR_OWNER_MAX_ACTIVE_OVERRIDES). */
        Optional<String> ownerOverrides();

        /** Runs of one owner held in the gateway at most; a submission past it gets 429 ERR_RATE_LIMITED. */
        @WithDefault("10000")
        int ownerMaxWaiting();

        /** Runs held in the gateway across all owners at most; a submission past it gets 429 ERR_RATE_LIMITED. */
        @WithDefault("100000")
        int maxWaiting();

        /**
         * Submissions this replica handles at once; keep it well below the database pool, so reads
         * (GET, health, the event consumer) always find a connection.
         */
        @WithDefault("8")
        int maxConcurrentSubmits();

        /** How long a submission waits for one of those slots before 429 ERR_RATE_LIMITED. */
        @WithDefault("2s")
        Duration submitWait();

        /** The Retry-After a refused submission carries. */
        @WithDefault("2s")
        Duration retryAfter();
    }

    /** Pools of remote executors. */
    interface Remote {
        /** The pools runs may name ({@code adapter_opts.pool}); none: {@code remote} is refused with ERR_ADAPTER_UNAVAILABLE. */
        Optional<java.util.List<String>> pools();

        /** The pool of a remote run that names none; without it such a run is refused. */
        Optional<String> defaultPool();

        /**
         * How long a remote run may wait on its pool's topic for an executor with room before it
         * fails with ERR_NO_CAPACITY ({@code adapter_opts.capacity_wait_seconds} may shorten it).
         */
        @WithDefault("10m")
        Duration capacityWait();
    }

    /** Sweeper settings. */
    interface Sweeper {
        /** How often each replica looks for overdue runs. */
        @WithDefault("5s")
        Duration interval();

        /** A queued run that no executor started within this after its command reached Kafka ends with ERR_TIMEOUT. */
        @WithDefault("15m")
        Duration queueDeadline();

        /** How long past a running run's own timeout its executor may still report before the run ends with ERR_TIMEOUT. */
        @WithDefault("60s")
        Duration grace();

        /** The timeout assumed for a run whose own timeout the gateway does not know (one submitted on the bus). */
        @WithDefault("1h")
        Duration defaultTimeout();

        /** Runs one sweep ends at most. */
        @WithDefault("100")
        int batchSize();
    }

    /** Stream settings. */
    interface Stream {
        /** Events read from the database per replay page (a reconnect or a late subscriber). */
        @WithDefault("500")
        int replayPageSize();

        /** Events this replica remembers having fanned out, so a redelivered record reaches no socket twice. */
        @WithDefault("100000")
        int dedupeWindow();

        /**
         * How long a run's stream stays open after its envelope for the client to close it; then
         * the gateway closes it. 0 closes at once, which makes a run's 1,000 closing handshakes race
         * the terminal frame to its other sockets (perf/PROFILE-gateway.md).
         */
        @WithDefault("300ms")
        Duration closeLinger();
    }
}
