package dev.hangar.executor.docker;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.executor.config.ExecutorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The host folder mounted at /hangar/io for one run: the runtime's socket and the outputs.
 * Names are short hashes because a unix socket path must fit in 108 bytes.
 *
 * <p>A warm container's folder (the <em>pool folder</em>, docs/warm-pool.md) holds the socket
 * and {@code runs/}, with one folder per run in it. The pool folder is root's with the sticky
 * bit and writable by the container's group (so the runtime can bind its socket but can neither
 * rename nor remove {@code runs/}); {@code runs/} is root's and read-only to the container, so
 * only the executor makes run folders. After a run its folder is {@link #seal sealed}.
 */
@ApplicationScoped
public class RunFolders {
    static final String SOCKET = "runtime.sock";
    static final String OUTPUTS = "outputs";
    static final String RUNS = "runs";
    static final String INPUTS = "inputs";
    private static final String SEALED = "sealed";
    /** Rounds of the seal walk before a run whose folder keeps changing is refused. */
    private static final int SEAL_ROUNDS = 64;

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final ExecutorConfig config;
    private final Path workDir;
    private volatile boolean sealedReady;

    @jakarta.inject.Inject
    public RunFolders(ExecutorConfig config) {
        this(config, null);
    }

    /** Run folders under {@code workDir} instead of the executor's own (the Slurm backend's shared folder). */
    public RunFolders(ExecutorConfig config, Path workDir) {
        this.config = config;
        this.workDir = workDir;
    }

    private Path workDir() {
        return workDir != null ? workDir : config.workDir();
    }

    public Path create(String executionId, int attempt) {
        Path folder = workDir().resolve(shortName(executionId + "#" + attempt));
        try {
            delete(folder);
            Files.createDirectories(folder.resolve(OUTPUTS));
            return folder;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare the run folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The host file behind a path under /hangar/io inside the container. */
    public Path hostPath(Path folder, String inside) {
        Path target = folder.resolve(inside.substring(RunContainer.IO_DIR.length() + 1)).normalize();
        if (!target.startsWith(folder)) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "input path " + inside + " leaves the run folder");
        }
        return target;
    }

    /** Gives everything in the run folder (fetched inputs included) to the container's user. */
    public void handOver(Path folder) {
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

    public Path outputs(Path folder) {
        return folder.resolve(OUTPUTS);
    }

    public void delete(Path folder) {
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
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }

    /** A warm container's pool folder, made afresh: socket beside a root-owned {@code runs/}. */
    Path createPool(String name) {
        Path folder = workDir().resolve("w-" + name);
        try {
            delete(folder);
            Files.createDirectories(folder.resolve(RUNS));
            Files.setPosixFilePermissions(folder.resolve(RUNS), PosixFilePermissions.fromString("rwxr-xr-x"));
            if (!executorIsRoot()) {
                Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwt"));
                return folder;
            }
            var view = Files.getFileAttributeView(folder, PosixFileAttributeView.class, NOFOLLOW);
            view.setGroup(folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(containerGroup()));
            // the sticky bit: the container may unlink what it owns (its socket), never root's runs/
            Files.setAttribute(folder, "unix:mode", 01770, NOFOLLOW);
            return folder;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare the pool folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * A run's folder in a pool folder, {@code runs/<name>/{inputs,outputs}}, still root's: inputs
     * are fetched into it before {@link #handOver} gives it to the container's user. Refused when
     * {@code runs/} is no longer the executor's own directory.
     */
    Path createRun(Path pool, String name) {
        Path runs = pool.resolve(RUNS);
        try {
            var attrs = Files.readAttributes(runs, PosixFileAttributes.class, NOFOLLOW);
            if (!attrs.isDirectory() || !isExecutors(attrs)) {
                throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the warm container's runs folder was tampered with; "
                        + "the container is replaced");
            }
            Path folder = runs.resolve(name);
            delete(folder);
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(folder.resolve(INPUTS));
            Files.createDirectory(folder.resolve(OUTPUTS));
            return folder;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare the run folder in " + runs + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes a run's folder away from its warm container, first step: one rename out of the mount,
     * to a folder of the executor's that no container sees. Returns where it went; then {@link #seal}.
     */
    Path moveOut(Path runFolder) {
        Path sealed = sealedRoot().resolve(runFolder.getFileName() + "-" + System.nanoTime());
        try {
            Files.move(runFolder, sealed, StandardCopyOption.ATOMIC_MOVE);
            return sealed;
        } catch (NoSuchFileException gone) {
            throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the run's folder vanished from its warm container", gone);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot move the run folder " + runFolder + " out: " + e.getMessage(), e);
        }
    }

    /**
     * Second step: makes every directory of a moved-out run folder root's and writable by root
     * only, walking again until a walk changes nothing. A process the run left in the container
     * may still hold a directory open; once that directory is root's it can no longer add,
     * rename or swap an entry in it (what already-open files hold may still change: the upload
     * hashes what it streams). A folder that keeps changing is refused ({@code ERR_OUTPUT_INVALID});
     * its container must then go before the folder is deleted.
     */
    void seal(Path moved) {
        for (int round = 0; round < SEAL_ROUNDS; round++) {
            if (!sealPass(moved)) {
                return;
            }
        }
        throw new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "the run's folders kept changing after the run ended (a process "
                + "it left behind?); nothing of this run was stored");
    }

    /** {@code <work-dir>/sealed}, the executor's alone; made once. */
    private Path sealedRoot() {
        Path root = workDir().resolve(SEALED);
        if (sealedReady) {
            return root;
        }
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            sealedReady = true;
            return root;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot prepare " + root + ": " + e.getMessage(), e);
        }
    }

    /** One walk, parents before children; whether it had to change a directory. */
    private boolean sealPass(Path root) {
        boolean changed = false;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                PosixFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(p, PosixFileAttributes.class, NOFOLLOW);
                } catch (NoSuchFileException gone) {
                    changed = true;
                    continue;
                }
                if (attrs.isDirectory() && (!isExecutors(attrs) || writableByOthers(attrs))) {
                    changed = true;
                    var view = Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW);
                    try {
                        if (executorIsRoot()) {
                            var lookup = p.getFileSystem().getUserPrincipalLookupService();
                            view.setOwner(lookup.lookupPrincipalByName("root"));
                            view.setGroup(lookup.lookupPrincipalByGroupName("root"));
                        }
                        view.setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
                    } catch (IOException swapped) {
                        // replaced by a link or removed meanwhile: the next walk looks again
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return true; // an entry changed under the walk: walk again
        }
        return changed;
    }

    private static boolean isExecutors(PosixFileAttributes attrs) {
        return attrs.owner().getName().equals(System.getProperty("user.name"));
    }

    private static boolean writableByOthers(PosixFileAttributes attrs) {
        var perms = attrs.permissions();
        return perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /** The executor seals run folders by taking them back from the container's user: only root can. */
    static boolean executorIsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private String containerGroup() {
        String[] ids = config.containerUser().split(":");
        return ids.length > 1 ? ids[1] : ids[0];
    }

    public static String shortName(String text) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
