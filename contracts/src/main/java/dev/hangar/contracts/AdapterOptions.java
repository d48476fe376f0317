package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The {@code local} adapter's options ({@code adapter_opts}): limits that override the spec's,
 * and keeping the container after the run for debugging. Unknown keys are refused.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AdapterOptions(Double cpu, Integer memoryMb, Integer gpus, Integer timeoutSeconds, Boolean keepContainer) {

    public static final AdapterOptions NONE = new AdapterOptions(null, null, null, null, null);
    static final String KEYS = "cpu, memory_mb, gpus, timeout_seconds, keep_container";

    /** Parses and range-checks; throws {@link ErrorCode#ERR_OPTION_INVALID} naming the key. */
    public static AdapterOptions parse(JsonNode node) {
        if (node == null || node.isNull() || node.isEmpty()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts must be a JSON object");
        }
        AdapterOptions o;
        try {
            o = Json.MAPPER.treeToValue(node, AdapterOptions.class);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts has an unknown key '" + e.getPropertyName()
                    + "' (allowed: " + KEYS + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    ? m.getPath().get(0).getFieldName() : "?";
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts." + field + " has the wrong type (allowed: " + KEYS + ")");
        }
        if (o.cpu != null && (o.cpu <= 0 || o.cpu > 64)) {
            throw bad("cpu", "must be in (0, 64]");
        }
        if (o.memoryMb != null && (o.memoryMb < 16 || o.memoryMb > 1 << 20)) {
            throw bad("memory_mb", "must be between 16 and 1048576");
        }
        if (o.gpus != null && o.gpus < 0) {
            throw bad("gpus", "must be 0 or more");
        }
        if (o.timeoutSeconds != null && (o.timeoutSeconds < 1 || o.timeoutSeconds > 86_400)) {
            throw bad("timeout_seconds", "must be between 1 and 86400");
        }
        return o;
    }

    /** The spec's limits with these options (and an explicit run timeout) applied. */
    public ProcessorSpec.Resources applyTo(ProcessorSpec.Resources r, Integer runTimeout) {
        int timeout = runTimeout != null ? runTimeout : timeoutSeconds != null ? timeoutSeconds : r.timeoutSeconds();
        return new ProcessorSpec.Resources(cpu != null ? cpu : r.cpu(), memoryMb != null ? memoryMb : r.memoryMb(),
                gpus != null ? gpus : r.gpus(), timeout);
    }

    public boolean keep() {
        return Boolean.TRUE.equals(keepContainer);
    }

    private static HangarException bad(String key, String why) {
        return new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts." + key + " " + why);
    }
}
