package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to {@code GET /health-check}.
 *
 * @param status STARTING, READY, BUSY, SETUP_FAILED or DEFUNCT (Cog's values)
 * @param raw    the whole body, including {@code setup.started_at/completed_at/status/logs}
 */
public record Health(String status, JsonNode raw) {

    static Health of(JsonNode body) {
        return new Health(body.path("status").asText(""), body);
    }

    /** Setup finished and no prediction is running. */
    public boolean ready() {
        return "READY".equals(status);
    }

    /** setup() raised; the container will never become ready. */
    public boolean setupFailed() {
        return "SETUP_FAILED".equals(status);
    }

    /** What setup() printed, and its traceback if it failed. */
    public String setupLogs() {
        return raw.path("setup").path("logs").asText("");
    }
}
