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
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessorSpec(ProcessorRef ref, String description, String image, Map<String, String> digests,
                            Resources runtime, List<String> secrets, JsonNode inputsSchema,
                            List<OutputDecl> outputs) {

    public ProcessorSpec {
        digests = digests == null ? Map.of() : Map.copyOf(digests);
        runtime = runtime == null ? Resources.DEFAULT : runtime;
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
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

    /** One declared output file. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OutputDecl(String name, String mime, String description) {}

    public ProcessorSpec withDigest(Platform platform, String digest) {
        var pins = new java.util.HashMap<>(digests);
        pins.put(platform.wire(), digest);
        return new ProcessorSpec(ref, description, image, pins, runtime, secrets, inputsSchema, outputs);
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
