package dev.hangar.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hangar's content ids: {@code sha256:<hex>} of the bytes, as in {@code OutputRef.cid}. The same
 * syntax is that of OCI manifest digests and local image ids, so {@link #isValid} is the one
 * digest rule.
 */
public final class ContentId {
    public static final String PREFIX = "sha256:";
    /** {@code sha256:} and 64 lower-case hex digits. */
    public static final java.util.regex.Pattern PATTERN = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

    private ContentId() {}

    /** Whether {@code s} is {@code sha256:<64 lower-case hex digits>}. */
    public static boolean isValid(String s) {
        return s != null && PATTERN.matcher(s).matches();
    }

    /** Returns {@code value}, or throws {@code code} saying which field is not a sha256 digest. */
    public static String require(String field, String value, ErrorCode code) {
        if (!isValid(value)) {
            throw new HangarException(code, field + " must be sha256:<64 hex digits>, got " + value);
        }
        return value;
    }

    public static String of(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
            in.transferTo(OutputStream.nullOutputStream());
            return of(in.getMessageDigest());
        }
    }

    public static String of(byte[] bytes) {
        MessageDigest d = sha256();
        d.update(bytes);
        return of(d);
    }

    /** The id of what a digest has seen; it resets the digest. */
    public static String of(MessageDigest digest) {
        return PREFIX + HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a stream to its end through a digest. */
    public static DigestInputStream digesting(InputStream in) {
        return new DigestInputStream(in, sha256());
    }
}
