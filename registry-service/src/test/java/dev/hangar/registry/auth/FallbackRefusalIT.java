package dev.hangar.registry.auth;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged service, started as in production but with the built-in internal token, refuses to run. */
class FallbackRefusalIT {
    @Test
    void theProductionProfileRefusesTheBuiltInInternalToken() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the service first");
        Path log = Files.createTempFile("registry-fallback", ".log");
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        var env = builder.environment();
        env.remove("HANGAR_INTERNAL_TOKEN");
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        String testDb = System.getenv("_TEST_QUARKUS_DATASOURCE_JDBC_URL");
        env.put("HANGAR_DB_URL", testDb != null ? testDb : "jdbc:postgresql://127.0.0.1:5432/hangar_registry_test");
        Process process = builder.start();
        try {
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "it should stop by itself");
            String out = Files.readString(log);
            assertNotEquals(0, process.exitValue(), out);
            assertTrue(out.contains("registry-service refuses to start") && out.contains("HANGAR_INTERNAL_TOKEN"), out);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
