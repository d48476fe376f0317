package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The adapters' options ({@code adapter_opts}): limits that override the spec's, keeping the
 * container after the run for debugging, and for {@code remote} the pool that runs it
 * ({@link PoolName}) and how long it may wait there for capacity before it fails with
 * {@link ErrorCode#ERR_NO_CAPACITY}. Unknown keys are refused.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AdapterOptions(Double cpu, Integer memoryMb, Integer gpus, Integer timeoutSeconds, Boolean keepContainer,
                             String pool, Integer capacityWaitSeconds) {

    public static final AdapterOptions NONE = new AdapterOptions(null, null, null, null, null, null, null);
    /** The wire keys, in order; a test checks them against the record's components. */
    public static final java.util.List<String> KEYS = java.util.List.of("cpu", "memory_mb", "gpus", "timeout_seconds", "keep_container",
            "pool", "capacity_wait_seconds");
    /** The longest {@code capacity_wait_seconds} (a day); the gateway's own deadline may be shorter. */
    public static final int MAX_CAPACITY_WAIT_SECONDS = 86_400;

    /** The local adapter's options only (no pool). */
    public AdapterOptions(Double cpu, Integer memoryMb, Integer gpus, Integer timeoutSeconds, Boolean keepContainer) {
        this(cpu, memoryMb, gpus, timeoutSeconds, keepContainer, null, null);
    }
    private static final String ALLOWED = String.join(", ", KEYS);

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
                    + "' (allowed: " + ALLOWED + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    ? m.getPath().get(0).getFieldName() : "?";
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts." + field + " has the wrong type (allowed: " + ALLOWED + ")");
        }
        var problems = ProcessorSpec.Resources.problems(o.cpu, o.memoryMb, o.gpus, o.timeoutSeconds);
        if (!problems.isEmpty()) {
            var first = problems.entrySet().iterator().next();
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts." + first.getKey() + " " + first.getValue());
        }
        if (o.pool != null) {
            PoolName.requireValid(o.pool);
        }
        if (o.capacityWaitSeconds != null && (o.capacityWaitSeconds < 1 || o.capacityWaitSeconds > MAX_CAPACITY_WAIT_SECONDS)) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "adapter_opts.capacity_wait_seconds must be 1 to "
                    + MAX_CAPACITY_WAIT_SECONDS);
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
}
