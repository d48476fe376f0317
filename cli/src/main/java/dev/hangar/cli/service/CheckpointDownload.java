package dev.hangar.cli.service;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * {@code hangar checkpoint download}: asks for the archive (the gateway builds it once), streams
 * it from the presigned URL into a temporary file while hashing it, refuses it unless its sha256 is
 * the one the gateway announced, and only then extracts it ({@link ArchiveExtractor}).
 */
public final class CheckpointDownload {
    private final GatewayClient client;
    private final OutputDownloader.ProgressFactory progress;

    public CheckpointDownload(GatewayClient client, OutputDownloader.ProgressFactory progress) {
        this.client = client;
        this.progress = progress;
    }

    /** The archive as announced, once it is verified and extracted into {@code target}. */
    public Checkpoint.Archive download(String path, Path target, boolean force) {
        if (Files.exists(target) && !force) { // before any byte moves
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, target.toAbsolutePath() + " already exists; pass --force to replace it, "
                    + "or --output another folder");
        }
        Checkpoint.Archive archive = client.checkpointArchive(path);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("hangar-checkpoint-", ".tar.gz");
            String sha = fetch(archive, tmp);
            if (!sha.equals(archive.sha256())) {
                throw new CliError(ErrorCode.ERR_UNAVAILABLE, "the downloaded archive of " + path + " has sha256 " + sha
                        + ", not the " + archive.sha256() + " the gateway announced; nothing was extracted");
            }
            ArchiveExtractor.extract(tmp, target, force);
            return archive;
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "downloading the archive of " + path + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private String fetch(Checkpoint.Archive archive, Path into) throws IOException {
        MessageDigest sha = ContentId.sha256();
        var bar = progress.start(archive.filename(), archive.sizeBytes());
        try (GatewayClient.Download d = client.openPresigned(archive.url()); InputStream in = d.body();
             OutputStream out = new DigestOutputStream(Files.newOutputStream(into), sha)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                bar.advance(n);
            }
        } finally {
            bar.end();
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
