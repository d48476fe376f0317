package dev.hangar.contracts;

import java.util.Locale;
import java.util.Map;

/** The media type recorded for a stored file, from its extension (outputs and attachments alike). */
public final class MediaTypes {
    public static final String OCTET_STREAM = "application/octet-stream";
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("json", "application/json"), Map.entry("txt", "text/plain"), Map.entry("md", "text/markdown"),
            Map.entry("csv", "text/csv"), Map.entry("html", "text/html"), Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("webp", "image/webp"),
            Map.entry("pdf", "application/pdf"), Map.entry("wav", "audio/wav"), Map.entry("jsonl", "application/x-ndjson"),
            Map.entry("yaml", "application/yaml"), Map.entry("yml", "application/yaml"));

    private MediaTypes() {}

    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? OCTET_STREAM : BY_EXTENSION.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
    }
}
