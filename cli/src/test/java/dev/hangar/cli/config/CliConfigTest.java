package dev.hangar.cli.config;

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

class CliConfigTest {
    @TempDir
    Path home;

    void writeConfig(String json) throws Exception {
        Path f = home.resolve(".config/hangar/config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, json);
    }

    @Test
    void defaultsToLoopback8080WithoutAToken() {
        CliConfig c = CliConfig.resolve(null, null, Map.of(), home);
        assertEquals("http://127.0.0.1:8080", c.url().toString());
        assertNull(c.token());
    }

    @Test
    void optionBeatsEnvironmentBeatsFile() throws Exception {
        writeConfig("{\"url\":\"http://127.0.0.1:3\",\"token\":\"file-token\"}");
        Map<String, String> env = Map.of("HANGAR_URL", "http://127.0.0.1:2/", "HANGAR_TOKEN", "env-token");
        assertEquals("http://127.0.0.1:1", CliConfig.resolve("http://127.0.0.1:1", null, env, home).url().toString());
        assertEquals("http://127.0.0.1:2", CliConfig.resolve(null, null, env, home).url().toString());
        assertEquals("env-token", CliConfig.resolve(null, null, env, home).token());
        assertEquals("cli-token", CliConfig.resolve(null, "cli-token", env, home).token());
        CliConfig fromFile = CliConfig.resolve(null, null, Map.of(), home);
        assertEquals("http://127.0.0.1:3", fromFile.url().toString());
        assertEquals("file-token", fromFile.token());
    }

    @Test
    void theNewVariablesWinOverTheOldSpellingsAndTheTimeoutFollowsTheSameOrder() throws Exception {
        writeConfig("{\"url\":\"http://127.0.0.1:3\",\"token\":\"file-token\",\"timeout_ms\":5000}");
        var both = Map.of("HANGAR_BASE_URL", "http://127.0.0.1:4", "HANGAR_URL", "http://127.0.0.1:2",
                "HANGAR_API_KEY", "new-key", "HANGAR_TOKEN", "old-key", "HANGAR_TIMEOUT", "7000");
        CliConfig env = CliConfig.resolve(null, null, null, both, home);
        assertEquals("http://127.0.0.1:4", env.url().toString());
        assertEquals("new-key", env.token());
        assertEquals("$HANGAR_API_KEY", env.tokenSource());
        assertEquals(java.time.Duration.ofMillis(7000), env.timeout());
        CliConfig flags = CliConfig.resolve("http://127.0.0.1:1", "flag-key", 900L, both, home);
        assertEquals("http://127.0.0.1:1", flags.url().toString());
        assertEquals("--api-key", flags.tokenSource());
        assertEquals(java.time.Duration.ofMillis(900), flags.timeout());
        CliConfig file = CliConfig.resolve(null, null, null, Map.of(), home);
        assertEquals(java.time.Duration.ofMillis(5000), file.timeout());
        assertTrue(file.tokenSource().startsWith("the config file "), file.tokenSource());
        assertEquals(CliConfig.DEFAULT_TIMEOUT, CliConfig.resolve(null, null, null, Map.of("HANGAR_CONFIG", "/no/such.json"), home)
                .timeout());
        assertEquals(120_000, CliConfig.DEFAULT_TIMEOUT.toMillis());
    }

    @Test
    void aTimeoutThatIsNotWholePositiveMillisecondsNamesWhereItCameFrom() throws Exception {
        for (String bad : new String[] {"0", "-5", "1.5", "soon", "86400001"}) {
            var e = assertThrows(CliError.class, () -> CliConfig.resolve(null, null, null, Map.of("HANGAR_TIMEOUT", bad), home));
            assertEquals("ERR_OPTION_INVALID", e.code());
            assertTrue(e.getMessage().startsWith("$HANGAR_TIMEOUT must be a whole number of milliseconds"), e.getMessage());
        }
        writeConfig("{\"timeout_ms\":\"x\"}");
        var e = assertThrows(CliError.class, () -> CliConfig.resolve(null, null, null, Map.of(), home));
        assertTrue(e.getMessage().startsWith("timeout_ms in the config file"), e.getMessage());
    }

    @Test
    void theFallbackTokenComesLastSoALoginWinsOverIt() throws Exception {
        var fallback = Map.of("HANGAR_FALLBACK_TOKEN", "stack-token");
        assertEquals("stack-token", CliConfig.resolve(null, null, fallback, home).token());
        writeConfig("{\"token\":\"login-token\"}");
        assertEquals("login-token", CliConfig.resolve(null, null, fallback, home).token());
        assertEquals("env-token", CliConfig.resolve(null, null, Map.of("HANGAR_FALLBACK_TOKEN", "stack-token", "HANGAR_TOKEN", "env-token"), home).token());
    }

    @Test
    void honoursXdgAndAnExplicitConfigPath() {
        assertEquals(Path.of("/x/hangar/config.json"), CliConfig.configFile(Map.of("XDG_CONFIG_HOME", "/x"), home));
        assertEquals(Path.of("/y.json"), CliConfig.configFile(Map.of("HANGAR_CONFIG", "/y.json", "XDG_CONFIG_HOME", "/x"), home));
    }

    @Test
    void aBrokenConfigFileNamesItselfAndThePosition() throws Exception {
        writeConfig("{\n \"url\": \n}");
        var e = assertThrows(CliError.class, () -> CliConfig.resolve(null, null, Map.of(), home));
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().contains("config.json is not valid JSON at line 3"), e.getMessage());
    }

    @Test
    void aNonHttpUrlIsRefused() {
        var e = assertThrows(CliError.class, () -> CliConfig.resolve("127.0.0.1:8080", null, Map.of(), home));
        assertEquals("ERR_OPTION_INVALID", e.code());
    }
}
