package dev.hangar.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.error.CliError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The positive path (a real CA, an https/wss gateway) is e2e's TlsIT; here: what the user gets wrong. */
class CaTrustTest {
    @TempDir
    Path dir;

    @Test
    void noCaFileMeansTheJdkTrustStore() {
        assertNull(CaTrust.fromEnvironment(Map.of()));
        assertNull(CaTrust.fromEnvironment(Map.of(CaTrust.ENV, " ")));
    }

    @Test
    void aMissingOrEmptyCaFileIsAnOptionErrorNamingTheVariable() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        for (Path file : new Path[] {dir.resolve("missing.pem"), empty}) {
            var error = assertThrows(CliError.class, () -> CaTrust.fromEnvironment(Map.of(CaTrust.ENV, file.toString())));
            assertEquals("ERR_OPTION_INVALID", error.code());
            assertTrue(error.getMessage().startsWith("$HANGAR_CA_FILE=" + file + " must be a readable PEM file"), error.getMessage());
        }
    }
}
