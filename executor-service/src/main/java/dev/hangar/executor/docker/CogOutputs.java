package dev.hangar.executor.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * An unmodified Cog image's prediction output as files in the run's output folder, the way the
 * Hangar runtime writes them (so they land in S3 like any run's): each {@code data:} URL (Cog's
 * file output without an upload URL) becomes a file {@code output-N.ext}; any other value goes
 * to {@code output.json} in canonical form (sorted keys, compact, newline-terminated).
 */
final class CogOutputs {
    static final String OUTPUT_JSON = "output.json";
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);
    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("text/plain", "txt"), Map.entry("application/json", "json"), Map.entry("image/png", "png"),
            Map.entry("image/jpeg", "jpg"), Map.entry("image/webp", "webp"), Map.entry("image/gif", "gif"),
            Map.entry("audio/wav", "wav"), Map.entry("audio/mpeg", "mp3"), Map.entry("video/mp4", "mp4"),
            Map.entry("application/pdf", "pdf"));

    private CogOutputs() {}

    /** Writes {@code output} into {@code folder}; returns the output with each data URL replaced by its file's name. */
    static JsonNode write(JsonNode output, Path folder) {
        try {
            if (output == null || output.isNull() || output.isMissingNode()) {
                return output;
            }
            var counter = new int[1];
            JsonNode placed = place(output, folder, counter);
            if (counter[0] == 0) {
                Files.write(folder.resolve(OUTPUT_JSON), (CANONICAL.writeValueAsString(output) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return placed;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot write the Cog image's output: " + e.getMessage(), e);
        }
    }

    private static JsonNode place(JsonNode node, Path folder, int[] counter) throws IOException {
        if (node.isTextual() && node.asText().startsWith("data:")) {
            return TextNode.valueOf(writeDataUrl(node.asText(), folder, counter));
        }
        if (node.isArray()) {
            ArrayNode out = CANONICAL.createArrayNode();
            for (JsonNode item : node) {
                out.add(place(item, folder, counter));
            }
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = CANONICAL.createObjectNode();
            for (var field : node.properties()) {
                out.set(field.getKey(), place(field.getValue(), folder, counter));
            }
            return out;
        }
        return node;
    }

    /** {@code data:[<mime>][;param…][;base64],<data>} (RFC 2397) as a file; its name. */
    private static String writeDataUrl(String url, Path folder, int[] counter) throws IOException {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "the Cog image returned a data: URL without a comma");
        }
        String[] meta = url.substring(5, comma).split(";");
        boolean base64 = meta.length > 1 && "base64".equalsIgnoreCase(meta[meta.length - 1]);
        String payload = url.substring(comma + 1);
        byte[] bytes;
        try {
            bytes = base64 ? Base64.getDecoder().decode(payload.replaceAll("\\s", ""))
                    : URLDecoder.decode(payload.replace("+", "%2B"), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "the Cog image returned a data: URL that does not decode: "
                    + e.getMessage());
        }
        String mime = meta[0].isEmpty() ? "text/plain" : meta[0].toLowerCase(java.util.Locale.ROOT);
        String name = "output-" + counter[0]++ + "." + EXTENSIONS.getOrDefault(mime, "bin");
        Files.write(folder.resolve(name), bytes);
        return name;
    }
}
