package dev.hangar.cli.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.client.CliJson;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the CLI config file ({@link CliConfig#configFile}) that {@code hangar login} stores a
 * token in: created mode 0600 in a 0700 folder, written to a private temporary file and moved in
 * place, so the token is never readable by another user, not even for a moment. Other keys in the
 * file are kept.
 */
public final class CredentialsFile {
    private final Path file;

    public CredentialsFile(Path file) {
        this.file = file;
    }

    /** The file the environment points at ($HANGAR_CONFIG, $XDG_CONFIG_HOME, ~/.config). */
    public static CredentialsFile fromEnvironment() {
        return new CredentialsFile(CliConfig.configFile(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    public Path path() {
        return file;
    }

    /** Stores {@code url} and {@code token}. */
    public void login(String url, String token) {
        ObjectNode node = read();
        node.put("url", url);
        node.put("token", token);
        write(node);
    }

    /** Removes the token (the URL stays); false when there was none. */
    public boolean logout() {
        ObjectNode node = read();
        if (node.remove("token") == null) {
            return false;
        }
        write(node);
        return true;
    }

    private ObjectNode read() {
        try {
            var parsed = CliJson.parse(Files.readString(file));
            if (parsed instanceof ObjectNode object) {
                return object;
            }
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "config file " + file + " must hold a JSON object");
        } catch (NoSuchFileException e) {
            return CliJson.LENIENT.createObjectNode();
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(ObjectNode node) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tmp = Files.createTempFile(dir, ".config", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, CliJson.LENIENT.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write config file " + file + ": " + e.getMessage(), e);
        }
    }

}
