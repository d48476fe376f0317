package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/** {@code ns/name@version}: a namespace, a processor name and an integer version. */
public record ProcessorRef(String namespace, String name, int version) {

    private static final Pattern PART = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?");
    private static final Pattern FORM = Pattern.compile("([^/@]+)/([^/@]+)@([0-9]{1,9})");

    public ProcessorRef {
        if (namespace == null || !PART.matcher(namespace).matches()
                || name == null || !PART.matcher(name).matches() || version < 1) {
            throw invalid(namespace + "/" + name + "@" + version);
        }
    }

    /** Parses {@code ns/name@ver}; anything else is {@link ErrorCode#ERR_REF_INVALID}. */
    @JsonCreator
    public static ProcessorRef parse(String text) {
        var m = text == null ? null : FORM.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw invalid(text);
        }
        return new ProcessorRef(m.group(1), m.group(2), Integer.parseInt(m.group(3)));
    }

    private static HangarException invalid(String text) {
        return new HangarException(ErrorCode.ERR_REF_INVALID, "invalid processor ref '" + text
                + "': expected ns/name@version, lower-case letters, digits, '.', '_' or '-', version a positive integer (e.g. examples/echo@1)");
    }

    /** The slug used in storage paths: {@code ns-name-vN}. */
    public String slug() {
        return namespace + "-" + name + "-v" + version;
    }

    /** The OCI repository path for this processor, without registry host or tag. */
    public String repository() {
        return namespace + "/" + name;
    }

    @JsonValue
    @Override
    public String toString() {
        return namespace + "/" + name + "@" + version;
    }
}
