package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the runtime's Python unit tests ({@code python/tests}: the {@code cog} package, schemas derived from
 * signatures, input checks, calls, output encoding, the sample Cog projects) with the host's python3, as a
 * real process, so a failing Python test fails the Maven build with its own report.
 */
class PythonUnitTest {
    private static final Path PYTHON = Path.of(System.getProperty("hangar.runtime.python", "python")).toAbsolutePath();
    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests?", Pattern.MULTILINE);

    @Test
    void pythonUnitTestsPass(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("unittest.log");
        var builder = new ProcessBuilder("python3", "-m", "unittest", "discover",
                "-s", PYTHON.resolve("tests").toString(), "-t", PYTHON.toString())
                .directory(PYTHON.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(report.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("HANGAR_") || name.startsWith("PYTHON"));
        builder.environment().put("PYTHONPATH", PYTHON.toString());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("TMPDIR", dir.toString());
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("python unit tests did not finish in 5 minutes:\n" + Files.readString(report, StandardCharsets.UTF_8));
        }
        String output = Files.readString(report, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "python unit tests failed:\n" + output);
        var ran = RAN.matcher(output);
        assertTrue(ran.find() && Integer.parseInt(ran.group(1)) > 0, "no python tests were found:\n" + output);
    }
}
