package dev.hangar.executor.docker;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.executor.config.ExecutorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The host folder mounted at /hangar/io for one run: the runtime's socket and the outputs.
 * Names are short hashes because a unix socket path must fit in 108 bytes.
 */
@ApplicationScoped
public class RunFolders {
    static final String SOCKET = "runtime.sock";
    static final String OUTPUTS = "outputs";

    private final ExecutorConfig config;

    public RunFolders(ExecutorConfig config) {
        this.config = config;
    }

    Path create(String executionId, int attempt) {
        Path folder = config.workDir().resolve(shortName(executionId + "#" + attempt));
        try {
            delete(folder);
            Files.createDirectories(folder.resolve(OUTPUTS));
            return folder;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare the run folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The host file behind a path under /hangar/io inside the container. */
    Path hostPath(Path folder, String inside) {
        Path target = folder.resolve(inside.substring(RunContainer.IO_DIR.length() + 1)).normalize();
        if (!target.startsWith(folder)) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "input path " + inside + " leaves the run folder");
        }
        return target;
    }

    /** Gives everything in the run folder (fetched inputs included) to the container's user. */
    void handOver(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.toList()) {
                giveToContainerUser(p);
            }
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare the run folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Gives one path (a socket the executor bound in the run folder) to the container's user. */
    void handOverOne(Path path) {
        try {
            giveToContainerUser(path);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare " + path + ": " + e.getMessage(), e);
        }
    }

    Path socket(Path folder) {
        return folder.resolve(SOCKET);
    }

    Path outputs(Path folder) {
        return folder.resolve(OUTPUTS);
    }

    void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot clean the run folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The container runs as an unprivileged uid; only it (and root) may write its run folder. */
    private void giveToContainerUser(Path folder) throws IOException {
        String[] ids = config.containerUser().split(":");
        var lookup = folder.getFileSystem().getUserPrincipalLookupService();
        var view = Files.getFileAttributeView(folder, PosixFileAttributeView.class);
        try {
            UserPrincipal user = lookup.lookupPrincipalByName(ids[0]);
            view.setOwner(user);
            if (ids.length > 1) {
                GroupPrincipal group = lookup.lookupPrincipalByGroupName(ids[1]);
                view.setGroup(group);
            }
        } catch (IOException | UnsupportedOperationException notRoot) {
            // Not running as root (a developer's own account): fall back to a folder anyone may write.
            Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }

    static String shortName(String text) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
