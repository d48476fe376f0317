package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The answer to {@code GET /health-check}.
 *
 * @param status STARTING, READY, BUSY, SETUP_FAILED or DEFUNCT (Cog's values); with several
 *               slots, READY while at least one is free and BUSY when all are taken
 * @param raw    the whole body, including {@code setup.started_at/completed_at/status/logs} and
 *               the Hangar runtime's {@code concurrency}
 */
public record Health(String status, JsonNode raw) {

    static Health of(JsonNode body) {
        return new Health(body.path("status").asText(""), body);
    }

    /** Setup finished and a prediction slot is free. */
    public boolean ready() {
        return "READY".equals(status);
    }

    /** setup() raised; the container will never become ready. */
    public boolean setupFailed() {
        return "SETUP_FAILED".equals(status);
    }

    /** The runtime's slots, when it says (the Hangar runtime does, a plain Cog server does not). */
    public Optional<Concurrency> concurrency() {
        JsonNode c = raw.path("concurrency");
        if (!c.path("max").canConvertToInt()) {
            return Optional.empty();
        }
        return Optional.of(new Concurrency(c.path("max").asInt(), c.path("running").asInt(), c.path("queued").asInt()));
    }

    /**
     * How busy a runtime that runs several jobs at once is.
     *
     * @param max     jobs it runs at the same time ({@code HANGAR_MAX_CONCURRENCY})
     * @param running jobs running now
     * @param queued  jobs accepted and waiting for a slot
     */
    public record Concurrency(int max, int running, int queued) {
        /** Slots a new job could start in right away. */
        public int free() {
            return Math.max(0, max - running - queued);
        }
    }

    /** What setup() printed, and its traceback if it failed. */
    public String setupLogs() {
        return raw.path("setup").path("logs").asText("");
    }
}
