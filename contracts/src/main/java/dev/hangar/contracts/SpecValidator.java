package dev.hangar.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates processor specs and run inputs with a real JSON Schema implementation
 * (networknt, draft 2020-12). Shared so the gateway, the executor (for bus-submitted runs)
 * and the CLI agree.
 */
public final class SpecValidator {
    static final Pattern IMAGE = Pattern.compile("[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private SpecValidator() {}

    /** Every way {@code inputs} violates {@code schema}, as JSON pointers; empty when valid. */
    public static List<Problem.FieldError> inputErrors(JsonNode schema, JsonNode inputs) {
        JsonSchema compiled = FACTORY.getSchema(schema);
        Set<ValidationMessage> messages = compiled.validate(inputs == null ? Json.MAPPER.nullNode() : inputs);
        return messages.stream()
                .map(m -> new Problem.FieldError(pointer(m), m.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::path).thenComparing(Problem.FieldError::message))
                .toList();
    }

    /** Throws {@link ErrorCode#ERR_INPUT_INVALID} listing each failing path. */
    public static void requireValidInputs(ProcessorSpec spec, JsonNode inputs) {
        var errors = inputErrors(spec.inputsSchema(), inputs);
        if (!errors.isEmpty()) {
            throw new HangarException(ErrorCode.ERR_INPUT_INVALID, "inputs do not match the input schema of "
                    + spec.ref() + " at " + errors.size() + " place(s): " + errors.get(0).path() + " "
                    + errors.get(0).message(), errors);
        }
    }

    /** Throws {@link ErrorCode#ERR_SPEC_INVALID} listing every problem of a spec. */
    public static void requireValidSpec(ProcessorSpec spec) {
        var errors = new ArrayList<Problem.FieldError>();
        if (spec.ref() == null) {
            errors.add(new Problem.FieldError("/ref", "is required (ns/name@version)"));
        }
        if (spec.image() == null || !IMAGE.matcher(spec.image()).matches()) {
            errors.add(new Problem.FieldError("/image", "must be an OCI repository without tag or digest, e.g. 127.0.0.1:5000/ns/name"));
        }
        spec.digests().forEach((platform, digest) -> {
            if (java.util.Arrays.stream(Platform.values()).noneMatch(p -> p.wire().equals(platform))) {
                errors.add(new Problem.FieldError("/digests/" + platform, "unknown platform (" + Platform.allowed() + ")"));
            }
            if (!ContentId.isValid(digest)) {
                errors.add(new Problem.FieldError("/digests/" + platform, "must be sha256:<64 hex digits>"));
            }
        });
        var r = spec.runtime();
        ProcessorSpec.Resources.problems(r.cpu(), r.memoryMb(), r.gpus(), r.timeoutSeconds())
                .forEach((key, problem) -> errors.add(new Problem.FieldError("/runtime/" + key, problem)));
        spec.retryPolicy().problems()
                .forEach((key, problem) -> errors.add(new Problem.FieldError("/" + key.replace('.', '/'), problem)));
        spec.warmPool().problems()
                .forEach((key, problem) -> errors.add(new Problem.FieldError("/" + key.replace('.', '/'), problem)));
        spec.serverProblems().forEach((key, problem) -> errors.add(new Problem.FieldError("/" + key, problem)));
        if (spec.inputsSchema() == null || !spec.inputsSchema().isObject()) {
            errors.add(new Problem.FieldError("/inputs_schema", "is required and must be a JSON Schema object"));
        } else {
            try {
                FACTORY.getSchema(spec.inputsSchema()).validate(Json.MAPPER.createObjectNode());
            } catch (RuntimeException e) {
                errors.add(new Problem.FieldError("/inputs_schema", "is not a usable JSON Schema: " + e.getMessage()));
            }
        }
        for (int i = 0; i < spec.outputs().size(); i++) {
            var o = spec.outputs().get(i);
            if (o.name() == null || o.name().isBlank() || o.name().contains("..") || o.name().startsWith("/")) {
                errors.add(new Problem.FieldError("/outputs/" + i + "/name", "must be a relative file name"));
            }
        }
        spec.egress().problems().forEach((path, problem) -> errors.add(new Problem.FieldError(path, problem)));
        if (!errors.isEmpty()) {
            throw new HangarException(ErrorCode.ERR_SPEC_INVALID, "processor spec " + spec.ref() + " has "
                    + errors.size() + " problem(s), first: " + errors.get(0).path() + " " + errors.get(0).message(), errors);
        }
    }

    private static String pointer(ValidationMessage m) {
        String path = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
        // networknt reports "$.a.b[0]"; the problem+json contract uses JSON pointers.
        String p = path.replaceFirst("^\\$", "").replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
        if ("required".equals(m.getType()) && m.getProperty() != null) {
            p = p + "/" + m.getProperty();
        }
        return p.isEmpty() ? "/" : p;
    }
}
