package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event streamed while a prediction runs, in the client's stable vocabulary. The runtime speaks
 * Cog's SSE events ({@code log {source, data}}, {@code output {chunk, index}}, {@code start},
 * {@code metric}); {@link #of} translates them, so callers (the executor's run events) do not change
 * with the wire, and an older runtime's own names ({@code token}) still read the same.
 *
 * @param type {@code log} ({@code {"stream","line"}}), {@code token} ({@code {"text"}}: a string
 *             output chunk), {@code progress} ({@code {"fraction","message"}}, Hangar's own), or Cog's
 *             {@code start}, {@code metric} ({@code {"name","value","mode"}}) and {@code output}
 *             ({@code {"chunk","index"}}, a chunk that is not a string) as the runtime sent them
 * @param data the event's JSON payload
 */
public record StreamEvent(String type, JsonNode data) {

    /** The event a runtime's SSE event {@code type} with {@code data} stands for. */
    public static StreamEvent of(String type, JsonNode data) {
        if ("log".equals(type) && data.has("source")) {
            String line = data.path("data").asText("");
            return log(data.path("source").asText(), line.endsWith("\n") ? line.substring(0, line.length() - 1) : line);
        }
        if ("output".equals(type) && data.path("chunk").isTextual()) {
            ObjectNode token = JsonNodeFactory.instance.objectNode();
            token.put("text", data.get("chunk").asText());
            return new StreamEvent("token", token);
        }
        return new StreamEvent(type, data);
    }

    /** A {@code log} event: one line on {@code stream} ({@code stdout} or {@code stderr}). */
    public static StreamEvent log(String stream, String line) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("stream", stream);
        data.put("line", line);
        return new StreamEvent("log", data);
    }

    /** True for the events a run shows: log lines, tokens and progress. */
    public boolean isRunEvent() {
        return "log".equals(type) || "token".equals(type) || "progress".equals(type);
    }
}
