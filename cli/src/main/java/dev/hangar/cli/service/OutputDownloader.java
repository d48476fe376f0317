package dev.hangar.cli.service;

import dev.hangar.contracts.ContentId;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.OutputRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Saves a run's outputs to disk ({@code --save-dir}, {@code --save-first}): streamed to a
 * temporary file beside the target, checked against the output's size and sha256 content id,
 * then moved into place, so a broken or tampered download never leaves a file behind. Paths
 * keep their place below the write prefix, and nothing is written outside the chosen folder.
 */
public final class OutputDownloader {

    /** An artefact's bytes: {@link GatewayClient#openArtifact} outside tests. */
    @FunctionalInterface
    public interface Source {
        GatewayClient.Download open(String artifactPath);
    }

    /** Hears how far one file's download got (a progress bar, or nothing). */
    public interface Progress {
        Progress NONE = new Progress() {};

        default void advance(long bytes) {}

        default void end() {}
    }

    /** Makes the progress listener for one file. */
    @FunctionalInterface
    public interface ProgressFactory {
        Progress start(String label, long size);
    }

    /** One output on disk. */
    public record Saved(OutputRef output, Path file) {}

    private final Source source;
    private final ProgressFactory progress;

    public OutputDownloader(Source source, ProgressFactory progress) {
        this.source = source;
        this.progress = progress;
    }

    /** Every output, at its path relative to the write prefix, below {@code dir}. */
    public List<Saved> saveAll(Envelope env, Path dir) {
        List<OutputRef> outputs = env.outputs() == null ? List.of() : env.outputs();
        String base = base(env);
        List<Saved> plan = new ArrayList<>();
        for (OutputRef o : outputs) {
            plan.add(new Saved(o, target(dir, relative(o.path(), base))));
        }
        // every path is checked before the first byte is written
        for (Saved s : plan) {
            save(s.output(), s.file(), relative(s.output().path(), base), dir);
        }
        return plan;
    }

    /** The first output, to exactly {@code file}. */
    public Saved saveFirst(Envelope env, Path file) {
        if (env.outputs() == null || env.outputs().isEmpty()) {
            throw new CliError(ErrorCode.ERR_ARTIFACT_NOT_FOUND, "the run has no outputs, so --save-first has nothing to save");
        }
        if (Files.isDirectory(file)) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--save-first " + file + " is a directory; name a file, or use --save-dir");
        }
        OutputRef first = env.outputs().get(0);
        save(first, file.toAbsolutePath(), first.path(), null);
        return new Saved(first, file);
    }

    /** {@code root}, when set, is the folder the file must stay in, even through symbolic links already there. */
    private void save(OutputRef output, Path target, String label, Path root) {
        try {
            Files.createDirectories(target.getParent());
            if (root != null && !target.getParent().toRealPath().startsWith(root.toRealPath())) {
                throw refused(label, "a symbolic link in " + root + " leads outside it");
            }
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        try (GatewayClient.Download d = source.open(output.path())) {
            Progress p = progress.start(label, output.sizeBytes());
            try {
                write(d.body(), target, output, p);
            } finally {
                p.end();
            }
        } catch (IOException e) {
            // closing the response stream failed after the file was complete: nothing to undo
        }
    }

    /**
     * The directory outputs are relative to: the write prefix, where {@code index_path} lives;
     * without an index, the folder all outputs share.
     */
    static String base(Envelope env) {
        String index = env.indexPath();
        if (index != null && index.contains("/")) {
            return index.substring(0, index.lastIndexOf('/') + 1);
        }
        String common = null;
        for (OutputRef o : env.outputs() == null ? List.<OutputRef>of() : env.outputs()) {
            String dir = o.path().substring(0, o.path().lastIndexOf('/') + 1);
            common = common == null ? dir : commonDir(common, dir);
        }
        return common == null ? "/" : common;
    }

    private static String commonDir(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, a.lastIndexOf('/', i - 1) + 1);
    }

    /** The output's path below the base; an output elsewhere is refused. */
    static String relative(String outputPath, String base) {
        if (outputPath == null || !outputPath.startsWith(base) || outputPath.length() == base.length()) {
            throw refused(outputPath, "it is not below the run's write prefix " + base);
        }
        return outputPath.substring(base.length());
    }

    /** {@code dir/relative}, refusing any path that could land outside {@code dir}. */
    static Path target(Path dir, String relative) {
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw refused(relative, "segment '" + segment + "' would leave " + dir);
            }
            for (char c : segment.toCharArray()) {
                if (c < 0x20 || c == 0x7f || c == '\\') {
                    throw refused(relative, "it contains a control character or a backslash");
                }
            }
        }
        Path root = dir.toAbsolutePath().normalize();
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw refused(relative, "it resolves outside " + dir);
        }
        return target;
    }

    private static CliError refused(String path, String why) {
        return new CliError(ErrorCode.ERR_WRITE_PREFIX_TRAVERSAL, "refusing to save output '" + path + "': " + why);
    }

    /**
     * Streams {@code in} to {@code target} through a temporary file in the same folder, and moves
     * it into place only if size and sha256 match {@code expected}; otherwise nothing is left.
     */
    public static void write(InputStream in, Path target, OutputRef expected, Progress progress) {
        Path parent = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".part");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write in " + parent + ": " + e.getMessage(), e);
        }
        boolean moved = false;
        try {
            long size;
            String cid;
            try (DigestInputStream digest = ContentId.digesting(in); OutputStream out = Files.newOutputStream(tmp)) {
                size = copy(digest, out, expected.path(), tmp, progress);
                cid = ContentId.of(digest.getMessageDigest());
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write " + target + ": " + e.getMessage(), e);
            }
            if (size != expected.sizeBytes() || !cid.equals(expected.cid())) {
                throw new CliError(ErrorCode.ERR_INTERNAL, "the download of " + expected.path() + " does not match its "
                        + "content id: expected " + expected.cid() + " (" + expected.sizeBytes() + " bytes), got " + cid
                        + " (" + size + " bytes); nothing was saved to " + target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write " + target + ": " + e.getMessage(), e);
            }
            moved = true;
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // best effort; the error being reported matters more
                }
            }
        }
    }

    private static long copy(InputStream in, OutputStream out, String from, Path to, Progress progress) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_UNAVAILABLE, "the download of " + from + " broke off after " + total
                        + " bytes: " + e.getMessage(), e);
            }
            if (n < 0) {
                return total;
            }
            out.write(buffer, 0, n);
            total += n;
            progress.advance(n);
        }
    }
}
