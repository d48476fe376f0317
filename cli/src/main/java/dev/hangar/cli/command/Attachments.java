package dev.hangar.cli.command;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.OutputRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Files sent with a run: {@code --attach NAME=PATH} and file inputs ({@code -i key=@PATH}), uploaded before it is submitted. */
final class Attachments {
    private Attachments() {}

    /** NAME → file, in the order given; every file is checked readable now, before anything is sent. */
    static Map<String, Path> parse(List<String> specs, Path cwd) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String spec : specs == null ? List.<String>of() : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--attach takes NAME=PATH, e.g. --attach doc=report.pdf; got '"
                        + spec + "'");
            }
            String name = spec.substring(0, eq);
            if (files.containsKey(name)) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--attach " + name + " is given twice");
            }
            files.put(name, readable("--attach " + spec, cwd.resolve(spec.substring(eq + 1))));
        }
        return files;
    }

    /** The file, if it is a regular file this process can open; else ERR_ATTACHMENT_INVALID naming it. */
    static Path readable(String what, Path file) {
        if (!Files.exists(file)) {
            throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, what + ": no such file: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, what + ": not a regular file: " + file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return file;
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, what + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Adds the named files to {@code into}, refusing a name that is already there. */
    static void merge(Map<String, Path> into, Map<String, Path> more, String origin) {
        for (var e : more.entrySet()) {
            if (into.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "attachment '" + e.getKey() + "' is given by --attach and by "
                        + origin + "; use one");
            }
        }
    }

    /**
     * Uploads each file under its own file name and returns NAME → artefact path. The gateway's
     * content id is checked against the file's sha256, so a file that changed or broke on the way is caught.
     */
    static Map<String, String> upload(GatewayClient client, Map<String, Path> files, PrintWriter log) {
        Map<String, String> paths = new LinkedHashMap<>();
        for (var e : files.entrySet()) {
            Path file = e.getValue();
            String local = sha256(file);
            OutputRef stored = client.upload(file, file.getFileName().toString());
            if (stored.cid() != null && !stored.cid().equals(local)) {
                throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, "attachment '" + e.getKey() + "' (" + file
                        + ") was stored as " + stored.cid() + " but the file's content id is " + local
                        + "; did it change during the upload?");
            }
            paths.put(e.getKey(), stored.path());
            if (log != null) {
                log.println("attached " + e.getKey() + ": " + file + " (" + Output.size(stored.sizeBytes()) + ") as "
                        + stored.path());
                log.flush();
            }
        }
        return paths;
    }

    static String sha256(Path file) {
        try {
            return ContentId.of(file);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
