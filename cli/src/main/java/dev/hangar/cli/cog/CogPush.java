package dev.hangar.cli.cog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code hangar push} adds for a Cog project: the platform's processor spec made from
 * cog.yaml and the schema the build derived, so nothing is written twice (the spec's
 * {@code inputs_schema} is the derived {@code Input}; {@code build.gpu} is {@code runtime.gpus},
 * {@code concurrency.max} the warm {@code max_concurrency}), and the version numbering (a changed
 * image is the next version, an unchanged one is no push at all).
 */
public final class CogPush {
    public static final String DEFAULT_REGISTRY = "127.0.0.1:5000";

    private CogPush() {}

    /**
     * The repository to push to and the processor it registers, from {@code IMAGE} (or cog.yaml's
     * {@code image:}): {@code [registry/]ns/name[:tag]}; no registry means {@value #DEFAULT_REGISTRY}.
     */
    public record Target(String repository, String namespace, String name) {
        public static Target parse(String image) {
            if (image == null || image.isBlank()) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "name the image to push: `hangar push " + DEFAULT_REGISTRY
                        + "/NS/NAME`, or `image: " + DEFAULT_REGISTRY + "/NS/NAME` in cog.yaml");
            }
            String s = image.strip();
            int at = s.indexOf('@');
            if (at >= 0) {
                s = s.substring(0, at);
            }
            int slash = s.lastIndexOf('/');
            int colon = s.lastIndexOf(':');
            if (colon > slash) {
                s = s.substring(0, colon); // a tag: each push gets its own
            }
            String[] parts = s.split("/");
            String registry = DEFAULT_REGISTRY;
            int first = 0;
            if (parts.length == 3 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
                registry = parts[0];
                first = 1;
            }
            if (parts.length - first != 2) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "the image '" + image + "' must be [REGISTRY/]NS/NAME (two path "
                        + "segments: the processor's namespace and name), e.g. " + DEFAULT_REGISTRY + "/me/my-model");
            }
            String ns = parts[first];
            String name = parts[first + 1];
            CliError.check("IMAGE", () -> ProcessorRef.parse(ns + "/" + name + "@1"));
            return new Target(registry + "/" + ns + "/" + name, ns, name);
        }

        public ProcessorRef ref(int version) {
            return new ProcessorRef(namespace, name, version);
        }
    }

    /** The derived {@code Input} as a standalone JSON Schema (2020-12): choices components become {@code $defs}. */
    public static ObjectNode inputsSchema(JsonNode openapi) {
        JsonNode schemas = openapi.path("components").path("schemas");
        JsonNode input = schemas.path("Input");
        if (!input.isObject()) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "the derived schema has no Input component");
        }
        ObjectNode out = input.deepCopy();
        Set<String> wanted = new HashSet<>();
        rewrite(out, wanted);
        ObjectNode defs = Json.MAPPER.createObjectNode();
        for (int round = 0; round < 8 && !wanted.isEmpty(); round++) {
            Set<String> next = new HashSet<>();
            for (String name : wanted) {
                if (!defs.has(name) && schemas.has(name)) {
                    ObjectNode def = schemas.get(name).deepCopy();
                    rewrite(def, next);
                    defs.set(name, def);
                }
            }
            wanted = next;
        }
        ObjectNode schema = Json.MAPPER.createObjectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.setAll(out);
        if (!defs.isEmpty()) {
            schema.set("$defs", defs);
        }
        return schema;
    }

    private static void rewrite(JsonNode node, Set<String> wanted) {
        if (node instanceof ObjectNode o) {
            JsonNode ref = o.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().startsWith("#/components/schemas/")) {
                String name = ref.asText().substring("#/components/schemas/".length());
                wanted.add(name);
                o.put("$ref", "#/$defs/" + name);
            }
            for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
                rewrite(it.next(), wanted);
            }
        } else if (node != null && node.isArray()) {
            node.forEach(n -> rewrite(n, wanted));
        }
    }

    /** The spec registered for a pushed Cog image. */
    public static ProcessorSpec spec(Target target, int version, CogConfig config, JsonNode openapi, Platform platform, String digest) {
        String title = openapi.path("info").path("title").asText("");
        String description = "Cog model " + target.namespace() + "/" + target.name() + " (" + config.predict() + ")"
                + (title.isBlank() ? "" : "");
        return new ProcessorSpec(target.ref(version), description, target.repository(), Map.of(platform.wire(), digest),
                resources(config), List.of(), inputsSchema(openapi), List.of(), null, null, warm(config));
    }

    /** {@code build.gpu: true} asks the platform for one GPU per run ({@code runtime.gpus}); the rest stays the default. */
    static ProcessorSpec.Resources resources(CogConfig config) {
        ProcessorSpec.Resources d = ProcessorSpec.Resources.DEFAULT;
        return config.build().gpu() ? new ProcessorSpec.Resources(d.cpu(), d.memoryMb(), 1, d.timeoutSeconds()) : d;
    }

    /**
     * {@code concurrency.max: N} above 1 means one container serves N predictions at once: on the
     * platform, a warm container ({@code warm.max_concurrency: N}, the pool's other keys at their
     * defaults). 1 (or absent) keeps the cold path, one container per run, as before.
     */
    static ProcessorSpec.Warm warm(CogConfig config) {
        return config.concurrency() > 1 ? new ProcessorSpec.Warm(null, null, config.concurrency(), null, null) : null;
    }
}
