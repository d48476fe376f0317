package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A component that is down gives a clear, retryable error and leaves nothing behind. */
class UnreachableComponentIT {
    static final String INPUTS = "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}";

    @AfterEach
    void restore() throws Exception {
        var up = new ProcessBuilder(Stack.ROOT.resolve("bin/stack").toString(), "up", "--no-build")
                .directory(Stack.ROOT.toFile()).redirectErrorStream(true).start();
        up.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertEquals(0, up.waitFor(), "bin/stack up brings everything back");
    }

    static void stop(String service) throws Exception {
        long pid = Long.parseLong(Files.readString(Stack.ROOT.resolve(".local/run/" + service + ".pid")).trim());
        var process = ProcessHandle.of(pid).orElseThrow();
        process.destroy();
        process.onExit().get(60, TimeUnit.SECONDS);
    }

    @Test
    void registryDownIsUnavailableAndRetryable() throws Exception {
        long rows = BadInputIT.runRows();
        stop("registry-service");
        var result = Stack.hangar("run", "--ref", "examples/echo@1", "--inputs-json", INPUTS, "--json");
        assertEquals(1, result.exit(), result.err());
        assertEquals("ERR_UNAVAILABLE", result.json().path("error").path("code").asText(), result.out());
        assertTrue(result.err().toLowerCase().contains("retry"), "says to retry: " + result.err());
        assertEquals(rows, BadInputIT.runRows(), "no run record");
    }

    @Test
    void gatewayDownIsUnavailableFromTheCli() throws Exception {
        stop("gateway-service");
        var result = Stack.hangar("run", "--ref", "examples/echo@1", "--inputs-json", INPUTS, "--json");
        assertEquals(1, result.exit(), result.err());
        assertEquals("ERR_UNAVAILABLE", result.json().path("error").path("code").asText(), result.out());
        assertTrue(result.err().contains("127.0.0.1:8080"), "names the gateway it tried: " + result.err());
    }
}
