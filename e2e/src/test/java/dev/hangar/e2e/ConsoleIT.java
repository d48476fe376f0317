package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real headless Chromium (node's test runner driving Debian's chromium with
 * playwright-core, e2e/browser/): console-ui.test.mjs checks the console's own behaviour against a
 * gateway faked inside the page, then console.test.mjs drives it end to end against the running
 * gateway, which serves it at /console/. The output streams here; a failure carries it.
 * Screenshots of every page land in e2e/target/console-screenshots/. Needs
 * deploy/local/browser.sh (chromium, npm ci).
 */
class ConsoleIT {
    static final Path BROWSER = Stack.ROOT.resolve("e2e/browser");
    static final Path SCREENSHOTS = Stack.ROOT.resolve("e2e/target/console-screenshots");
    static final long TIMEOUT_MINUTES = 8;

    @Test
    void theConsoleWorksInARealBrowser() throws Exception {
        assertTrue(Files.isExecutable(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))
                && Files.isDirectory(BROWSER.resolve("node_modules/playwright-core")),
                "no browser to test with: run deploy/local/browser.sh install (chromium + npm ci in e2e/browser)");
        var builder = new ProcessBuilder(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec",
                        "console-ui.test.mjs", "console.test.mjs"))
                .directory(BROWSER.toFile())
                .redirectErrorStream(true);
        builder.environment().put("HANGAR_GATEWAY", Stack.GATEWAY);
        builder.environment().put("HANGAR_TOKEN", Stack.token());
        builder.environment().put("HANGAR_ROOT", Stack.ROOT.toString());
        builder.environment().put("HANGAR_SCREENSHOTS", SCREENSHOTS.toString());

        Process node = builder.start();
        var output = new StringBuilder();
        Thread pump = Thread.ofVirtual().start(() -> node.inputReader().lines().forEach(line -> {
            System.out.println("[console.test] " + line);
            synchronized (output) {
                output.append(line).append('\n');
            }
        }));
        if (!node.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
            fail("the browser test did not finish in " + TIMEOUT_MINUTES + " min:\n" + output);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (output) {
            assertEquals(0, node.exitValue(), "the browser test failed (screenshots: " + SCREENSHOTS + "):\n" + output);
        }
    }
}
