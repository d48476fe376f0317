package dev.hangar.contracts;

import java.nio.charset.StandardCharsets;

/**
 * Where a run's outputs go: an absolute path below {@code /artifacts/} that contains
 * {@code {execution_id}} (and may contain {@code {ref_slug}}). Validation lives here so the
 * gateway, the executor and the CLI refuse exactly the same prefixes.
 */
public final class WritePrefix {
    public static final String ROOT = "/artifacts/";
    public static final String DEFAULT = "/artifacts/outputs/{ref_slug}/{execution_id}/";
    public static final String EXECUTION_ID = "{execution_id}";
    public static final String REF_SLUG = "{ref_slug}";
    static final int MAX_SEGMENT_BYTES = 255;
    static final int MAX_BYTES = 1024;

    private WritePrefix() {}

    /** Checks a prefix template and returns it normalised to end in '/'. */
    public static String validate(String template) {
        if (template == null || template.isBlank()) {
            return DEFAULT;
        }
        if (!template.contains(EXECUTION_ID)) {
            throw fail(ErrorCode.ERR_WRITE_PREFIX_NO_EXECUTION_ID, template, "it must contain {execution_id}");
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '%' || c == '\\' || c < 0x20 || c == 0x7f) {
                throw fail(ErrorCode.ERR_WRITE_PREFIX_ENCODED, template,
                        "character at position " + i + " is not allowed (no %-encoding, backslash or control characters)");
            }
        }
        if (!template.startsWith(ROOT)) {
            throw fail(ErrorCode.ERR_WRITE_PREFIX_ROOT, template, "it must start with " + ROOT);
        }
        if (template.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw fail(ErrorCode.ERR_WRITE_PREFIX_SEGMENT_TOO_LONG, template, "it is longer than " + MAX_BYTES + " bytes");
        }
        String body = template.substring(1, template.endsWith("/") ? template.length() - 1 : template.length());
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw fail(ErrorCode.ERR_WRITE_PREFIX_TRAVERSAL, template, "segment '" + segment + "' is not allowed");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw fail(ErrorCode.ERR_WRITE_PREFIX_SEGMENT_TOO_LONG, template,
                        "a segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        if (body.endsWith("/outputs") || body.equals("outputs")) {
            throw fail(ErrorCode.ERR_WRITE_PREFIX_OUTPUTS_SUFFIX, template, "it ends in /outputs");
        }
        return template.endsWith("/") ? template : template + "/";
    }

    /** Substitutes the placeholders of an already validated template. */
    public static String resolve(String template, ProcessorRef ref, String executionId) {
        return validate(template).replace(REF_SLUG, ref.slug()).replace(EXECUTION_ID, executionId);
    }

    private static HangarException fail(ErrorCode code, String template, String why) {
        return new HangarException(code, "write prefix '" + template + "' is refused: " + why
                + " (default: " + DEFAULT + ")");
    }
}
