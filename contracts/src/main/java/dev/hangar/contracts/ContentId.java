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

/** Hangar's content ids: {@code sha256:<hex>} of the bytes, as in {@code OutputRef.cid}. */
public final class ContentId {
    public static final String PREFIX = "sha256:";

    private ContentId() {}

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
