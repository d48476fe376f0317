package dev.hangar.kit.testing;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a module's packaged service as in production but with its built-in internal token
 * (HANGAR_INTERNAL_TOKEN unset) and checks that it stops by itself, non-zero, naming the variable.
 */
public final class FallbackRefusal {
    private FallbackRefusal() {}

    public static void assertRefusesTheBuiltInToken(String service, Map<String, String> env) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the service first");
        Path log = Files.createTempFile(service + "-fallback", ".log");
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("HANGAR_INTERNAL_TOKEN");
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        builder.environment().put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "it should stop by itself");
            String out = Files.readString(log);
            assertNotEquals(0, process.exitValue(), out);
            assertTrue(out.contains(service + " refuses to start") && out.contains("HANGAR_INTERNAL_TOKEN"), out);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
