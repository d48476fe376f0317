package dev.hangar.executor.store;

import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a run's outputs folder the way a hostile processor cannot steer: only regular files that
 * really live under the folder, never following a link. The container must be stopped before
 * {@link #collect} (nothing may change the folder while it is read), and the whole folder is
 * checked before anything is uploaded, so a bad entry means nothing of the run is stored.
 *
 * <p>Refused with {@link ErrorCode#ERR_OUTPUT_INVALID}, naming the path: symbolic links (to
 * files or folders), hard links (a regular file with more than one name could be another file of
 * the run folder), FIFOs, sockets, devices, names with control characters, an outputs folder that
 * was replaced by a link. Past the limits: {@link ErrorCode#ERR_OUTPUT_LIMIT}.
 */
public final class OutputCollector {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final int maxEntries;
    private final long maxBytes;

    public OutputCollector(int maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** One checked output file; {@link #open} never follows a link. */
    public record OutputFile(String relative, Path path, long size) {

        public InputStream open() throws IOException {
            return Files.newInputStream(path, NOFOLLOW);
        }

        public String cid() throws IOException {
            try (var in = new DigestInputStream(open(), ContentId.sha256())) {
                in.transferTo(OutputStream.nullOutputStream());
                return ContentId.of(in.getMessageDigest());
            }
        }
    }

    /** The outputs in path order (the processor's own {@code outputs.json} left out: the index is ours). */
    public List<OutputFile> collect(Path folder) {
        var files = new ArrayList<OutputFile>();
        try {
            BasicFileAttributes root;
            try {
                root = Files.readAttributes(folder, BasicFileAttributes.class, NOFOLLOW);
            } catch (NoSuchFileException gone) {
                return List.of(); // the processor removed its outputs folder: no outputs
            }
            if (!root.isDirectory()) {
                throw invalid("outputs", "the outputs folder itself was replaced by a " + kind(root));
            }
            Path real = folder.getParent().toRealPath().resolve(folder.getFileName());
            walk(folder, real, "", new int[1], files);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "cannot read the run's outputs: " + e.getMessage(), e);
        }
        long total = files.stream().mapToLong(OutputFile::size).sum();
        if (total > maxBytes) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_LIMIT, "the run wrote " + total + " bytes of outputs, more than "
                    + maxBytes + " (hangar.executor.limits.max-output-bytes); nothing was stored");
        }
        files.sort(Comparator.comparing(OutputFile::relative));
        return files;
    }

    private void walk(Path dir, Path real, String prefix, int[] entries, List<OutputFile> files) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                if (++entries[0] > maxEntries) {
                    throw new HangarException(ErrorCode.ERR_OUTPUT_LIMIT, "the run left more than " + maxEntries
                            + " files and folders in its outputs (hangar.executor.limits.max-output-files); nothing was stored");
                }
                children.add(child);
            }
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            String relative = prefix + name;
            if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
                throw invalid(relative, "its name has a control character or a backslash");
            }
            var attrs = Files.readAttributes(child, BasicFileAttributes.class, NOFOLLOW);
            if (attrs.isDirectory()) {
                walk(child, real.resolve(name), relative + "/", entries, files);
            } else if (!attrs.isRegularFile()) {
                throw invalid(relative, "it is a " + kind(attrs) + ", not a regular file");
            } else {
                if (((Number) Files.getAttribute(child, "unix:nlink", NOFOLLOW)).intValue() != 1) {
                    throw invalid(relative, "it is a hard link (a file with another name elsewhere)");
                }
                if (!child.toRealPath(NOFOLLOW).equals(real.resolve(name))) {
                    throw invalid(relative, "it does not live in the run's outputs folder");
                }
                if (!relative.equals(OutputIndex.FILE)) {
                    files.add(new OutputFile(relative, child, attrs.size()));
                }
            }
        }
    }

    private static String kind(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "symbolic link";
        }
        if (attrs.isRegularFile()) {
            return "file";
        }
        return attrs.isOther() ? "FIFO, socket or device" : "special file";
    }

    private static HangarException invalid(String relative, String why) {
        return new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "output " + relative + " was refused: " + why
                + "; only regular files inside the outputs folder are stored, and nothing of this run was");
    }
}
