package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * Cog's prediction object.
 *
 * @param id     the prediction id
 * @param status starting, processing, succeeded, failed or canceled
 * @param output what predict() returned (file outputs as names relative to the output folder); JSON null if none
 * @param error  {@code "ExcType: message"} when failed, else null
 * @param logs   what the processor printed, and the traceback when failed
 * @param raw    the whole object (timestamps, metrics, Hangar's {@code output_files})
 */
public record Prediction(String id, String status, JsonNode output, String error, String logs, JsonNode raw) {

    static Prediction of(JsonNode body) {
        JsonNode output = body.get("output");
        JsonNode error = body.get("error");
        return new Prediction(
                body.path("id").asText(null),
                body.path("status").asText(""),
                output == null ? NullNode.getInstance() : output,
                error == null || error.isNull() ? null : error.asText(),
                body.path("logs").asText(""),
                body);
    }

    public boolean succeeded() {
        return "succeeded".equals(status);
    }

    public boolean failed() {
        return "failed".equals(status);
    }

    public boolean canceled() {
        return "canceled".equals(status);
    }
}
