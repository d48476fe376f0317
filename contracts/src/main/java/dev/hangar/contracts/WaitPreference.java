package dev.hangar.contracts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The synchronous mode of {@code POST /v1/runs}, Replicate's {@code Prefer: wait} (RFC 7240's
 * {@code wait} preference): hold the answer up to {@link #seconds} until the run ends. {@code wait}
 * alone means {@link #MAX_SECONDS}; {@code wait=N} takes 1 to {@value #MAX_SECONDS}. Other
 * preferences in the header are ignored, as RFC 7240 asks; a {@code wait} whose value is not a whole
 * number in range is refused ({@link ErrorCode#ERR_BAD_REQUEST}) rather than ignored, since a client
 * that asked for an answer would otherwise get a 202 it did not expect and not know why.
 *
 * @param seconds how long the gateway may hold the answer
 */
public record WaitPreference(int seconds) {
    /** The request header. */
    public static final String HEADER = "Prefer";
    /** The answer's header naming the preference honoured ({@code wait=N}), RFC 7240 §3. */
    public static final String APPLIED_HEADER = "Preference-Applied";
    /** The longest wait, and that of a bare {@code wait}. */
    public static final int MAX_SECONDS = 60;

    public WaitPreference {
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "Prefer: wait must be 1 to " + MAX_SECONDS + " seconds, got " + seconds);
        }
    }

    /**
     * The {@code wait} preference of the request's {@code Prefer} header values (each may list
     * several, comma-separated; a comma inside another preference's quoted value separates
     * nothing), the first one if repeated; empty when there is none.
     */
    public static Optional<WaitPreference> parse(List<String> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        for (String header : headers) {
            for (String preference : unquoted(header, ',')) {
                String token = unquoted(preference, ';').get(0).strip(); // parameters after ';' are not ours
                int eq = token.indexOf('=');
                String name = (eq < 0 ? token : token.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                if (name.equals("wait")) {
                    return Optional.of(eq < 0 ? new WaitPreference(MAX_SECONDS) : of(token.substring(eq + 1).strip()));
                }
            }
        }
        return Optional.empty();
    }

    /** {@code text} split at each {@code separator} outside a quoted string (RFC 9110 §5.6.4, {@code \\} escapes). */
    private static List<String> unquoted(String text, char separator) {
        var parts = new ArrayList<String>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static WaitPreference of(String value) {
        String seconds = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
        if (!seconds.matches("[0-9]{1,4}")) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "Prefer: wait takes whole seconds from 1 to " + MAX_SECONDS
                    + " ('wait=5'), or no value for " + MAX_SECONDS + "; got 'wait=" + value + "'");
        }
        return new WaitPreference(Integer.parseInt(seconds));
    }

    /** How long to hold the answer. */
    public Duration duration() {
        return Duration.ofSeconds(seconds);
    }

    /** The {@link #APPLIED_HEADER} value of an answer that waited. */
    public String applied() {
        return "wait=" + seconds;
    }
}
