package dev.hangar.models.tinylm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the model's Python unit tests ({@code python3 -m unittest discover -s tests}) so the reactor
 * build fails when they fail. The interpreter is {@code -Dpython.executable} (Debian's
 * {@code /usr/bin/python3} by default, where python3-torch installs).
 */
class PythonSuiteTest {

    @Test
    void pythonUnitTestsPass() throws IOException, InterruptedException {
        String python = System.getProperty("python.executable", "/usr/bin/python3");
        Process process = new ProcessBuilder(python, "-m", "unittest", "discover", "-s", "tests", "-t", ".")
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "the Python tests did not finish in 10 minutes");
        System.out.println(output);
        assertEquals(0, process.exitValue(), "the Python unit tests failed:\n" + output);
        assertTrue(output.contains("\nOK"), "unittest did not report OK:\n" + output);
    }
}
