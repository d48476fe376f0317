package dev.hangar.storage.service;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.MediaTypes;
import dev.hangar.contracts.OutputRef;
import dev.hangar.storage.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Input files, stored content-addressed at {@code /artifacts/inputs/sha256:<hex>/<filename>}: the
 * body is spooled to a temporary file while its digest is computed (never held in memory), and
 * the same bytes under the same name are stored once.
 */
@ApplicationScoped
public class AttachmentService {
    static final long MAX_BYTES = 5L << 30;
    private final ArtifactStore store;

    public AttachmentService(ArtifactStore store) {
        this.store = store;
    }

    public OutputRef upload(String filename, InputStream body) {
        requireFilename(filename);
        if (body == null) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "send the file's bytes as the request body");
        }
        Path spool = null;
        try {
            spool = Files.createTempFile("hangar-attachment", ".part");
            MessageDigest sha = ContentId.sha256();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(spool), sha)) {
                size = copy(body, out);
            }
            String path = "/artifacts/inputs/" + ContentId.of(sha) + "/" + filename;
            String key = ArtifactPath.toKey(path);
            String mime = MediaTypes.of(filename);
            if (!store.exists(key)) {
                store.put(key, spool, mime);
            }
            return new OutputRef(path, Attachments.cid(path), size, mime);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "the upload of " + filename + " broke off: " + e.getMessage(), e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // a temp file; the OS cleans it
                }
            }
        }
    }

    private static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > MAX_BYTES) {
                throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "an attachment may be at most 5 GiB");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    static void requireFilename(String name) {
        boolean ok = name != null && !name.isBlank() && !name.equals(".") && !name.equals("..")
                && name.getBytes(StandardCharsets.UTF_8).length <= 255
                && name.chars().noneMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f);
        if (!ok) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "filename '" + name
                    + "' must be a plain file name (no slashes or control characters, at most 255 bytes)");
        }
    }
}
