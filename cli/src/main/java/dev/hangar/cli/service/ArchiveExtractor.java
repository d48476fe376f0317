package dev.hangar.cli.service;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a checkpoint archive ({@code <checkpoint_id>/…} in a {@code .tar.gz}) into a folder, as
 * a hostile archive cannot steer: only plain files and folders, every name relative and without
 * '..', nothing that resolves outside the target, no links of any kind (a checkpoint has none), no
 * devices or FIFOs. It unpacks into a fresh folder beside the target and moves it into place at
 * the end, so a refused archive leaves nothing behind, and an existing target is replaced only
 * with {@code force} (and never followed if it is a link).
 */
public final class ArchiveExtractor {
    private ArchiveExtractor() {}

    /** Extracts {@code archive}'s single top folder's contents into {@code target}. */
    public static void extract(Path archive, Path target, boolean force) {
        Path dest = target.toAbsolutePath().normalize();
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && !force) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, dest + " already exists; pass --force to replace it, or --output another folder");
        }
        Path staging;
        try {
            Files.createDirectories(dest.getParent());
            staging = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + ".partial-");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot create " + dest + ": " + e.getMessage(), e);
        }
        try {
            unpack(archive, staging);
            if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(dest);
            }
            Files.move(staging, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot extract the archive into " + dest + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(staging);
            throw e;
        }
    }

    private static void unpack(Path archive, Path into) throws IOException {
        String top = null;
        try (InputStream file = Files.newInputStream(archive);
             var tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                String name = e.getName();
                if (!plain(e)) {
                    throw refused(name, "it is a " + kind(e) + ", not a plain file or folder");
                }
                String[] parts = name.replaceAll("/+$", "").split("/");
                if (name.startsWith("/") || name.contains("\\") || name.contains("\0") || parts.length == 0) {
                    throw refused(name, "its name is absolute or not a plain relative path");
                }
                for (String part : parts) {
                    if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                        throw refused(name, "its name has an empty, '.' or '..' part");
                    }
                }
                if (top == null) {
                    top = parts[0];
                } else if (!top.equals(parts[0])) {
                    throw refused(name, "it is outside the archive's one folder '" + top + "'");
                }
                if (parts.length == 1) {
                    if (!e.isDirectory()) {
                        throw refused(name, "a checkpoint archive holds one folder, not a top-level file");
                    }
                    continue;
                }
                Path out = into.resolve(String.join("/", java.util.Arrays.copyOfRange(parts, 1, parts.length))).normalize();
                if (!out.startsWith(into) || out.equals(into)) {
                    throw refused(name, "it would land outside the target folder");
                }
                requireNoLinkOnTheWay(into, out.getParent(), name);
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS)) {
                        tar.transferTo(o);
                    }
                }
            }
        }
        if (top == null) {
            throw refused("(none)", "the archive is empty");
        }
    }

    /** A folder, or a regular file by its type flag (commons-compress counts a link as a "file" too). */
    private static boolean plain(TarArchiveEntry e) {
        if (e.isSymbolicLink() || e.isLink() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            return false;
        }
        byte flag = e.getLinkFlag();
        return e.isDirectory() || flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM
                || flag == TarArchiveEntry.LF_CONTIG;
    }

    /** Every existing folder between {@code root} and {@code dir} is a real folder, never a link. */
    private static void requireNoLinkOnTheWay(Path root, Path dir, String name) {
        for (Path p = dir; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw refused(name, "a folder on its way is a link");
            }
        }
    }

    private static String kind(TarArchiveEntry e) {
        if (e.isSymbolicLink()) {
            return "symbolic link (to " + e.getLinkName() + ")";
        }
        if (e.isLink()) {
            return "hard link (to " + e.getLinkName() + ")";
        }
        if (e.isCharacterDevice() || e.isBlockDevice()) {
            return "device";
        }
        return e.isFIFO() ? "FIFO" : "special entry";
    }

    private static CliError refused(String name, String why) {
        return new CliError(ErrorCode.ERR_OUTPUT_INVALID,
                "the archive entry '" + name + "' was refused: " + why + "; nothing was extracted");
    }

    static void deleteTree(Path root) throws IOException {
        if (Files.isSymbolicLink(root) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(root); // a link is removed, never followed
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException ignored) {
            // a partial folder left behind is named .partial-, and never the target
        }
    }
}
