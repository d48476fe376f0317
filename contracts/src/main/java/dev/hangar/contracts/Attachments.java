package dev.hangar.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Input files. An upload lands content-addressed at {@code /artifacts/inputs/<cid>/<filename>};
 * a run names it in {@code attachments} and refers to it from its inputs as
 * {@code {"$attach":"name"}}, which becomes the path the processor opens inside its container,
 * {@code /hangar/io/inputs/<hex>/<filename>}. Gateway and executor resolve the same way. A run
 * in a warm container has its own root, {@code /hangar/io/runs/<name>/inputs/}
 * (docs/warm-pool.md), given to {@link #resolve(JsonNode, Map, String)}.
 */
public final class Attachments {
    public static final String MARKER = "$attach";
    public static final String CONTAINER_ROOT = "/hangar/io/inputs/";
    private static final Pattern PATH = Pattern.compile("/artifacts/inputs/sha256:([0-9a-f]{64})/([^/\\\\\\x00-\\x1f]{1,255})");

    private Attachments() {}

    /** The inputs with every reference replaced, and the container path → artefact path of each file used. */
    public record Resolved(JsonNode inputs, Map<String, String> files) {}

    public static Resolved resolve(JsonNode inputs, Map<String, String> byName) {
        return resolve(inputs, byName, CONTAINER_ROOT);
    }

    /** As {@link #resolve(JsonNode, Map)}, with the files under {@code root} (an absolute path ending in '/'). */
    public static Resolved resolve(JsonNode inputs, Map<String, String> byName, String root) {
        if (root == null || !root.startsWith("/") || !root.endsWith("/") || root.contains("/../") || root.contains("/./")) {
            throw new IllegalArgumentException("an attachment root must be an absolute folder path ending in '/': " + root);
        }
        Map<String, String> named = byName == null ? Map.of() : byName;
        named.forEach((name, path) -> containerPath(name, path, root));
        var files = new LinkedHashMap<String, String>();
        JsonNode rewritten = rewrite(inputs == null ? Json.MAPPER.createObjectNode() : inputs.deepCopy(), named, files, root);
        return new Resolved(rewritten, files);
    }

    /** Where an uploaded file appears inside the container. */
    public static String containerPath(String name, String artefactPath) {
        return containerPath(name, artefactPath, CONTAINER_ROOT);
    }

    private static String containerPath(String name, String artefactPath, String root) {
        var m = artefactPath == null ? null : PATH.matcher(artefactPath);
        if (m == null || !m.matches() || m.group(2).equals(".") || m.group(2).equals("..")) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "attachment '" + name + "' must be a path returned by "
                    + "POST /v1/attachments (/artifacts/inputs/sha256:<hex>/<filename>), not '" + artefactPath + "'");
        }
        return root + m.group(1) + "/" + m.group(2);
    }

    /** The content id a stored attachment's path names. */
    public static String cid(String artefactPath) {
        var m = PATH.matcher(artefactPath);
        return m.matches() ? "sha256:" + m.group(1) : null;
    }

    private static JsonNode rewrite(JsonNode node, Map<String, String> named, Map<String, String> files, String root) {
        if (node instanceof ObjectNode object) {
            if (object.size() == 1 && object.has(MARKER)) {
                String name = object.get(MARKER).asText();
                String path = named.get(name);
                if (path == null) {
                    throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "inputs refer to attachment '" + name
                            + "' but the run has none by that name (attached: " + String.join(", ", named.keySet()) + ")");
                }
                String inside = containerPath(name, path, root);
                files.put(inside, path);
                return Json.MAPPER.getNodeFactory().textNode(inside);
            }
            object.properties().forEach(e -> e.setValue(rewrite(e.getValue(), named, files, root)));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, rewrite(array.get(i), named, files, root));
            }
        }
        return node;
    }
}
