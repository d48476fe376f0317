package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.ProcessorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The job script: valid bash whatever the names hold, the local lockdown, GPUs only when asked for. */
class JobScriptTest {

    private static JobScript script(String executionId, int gpus, boolean dockerGpus) {
        return new JobScript(executionId, "executor-1", "127.0.0.1:5000/ns/echo@sha256:" + "a".repeat(64), Path.of("/shared/run dir"),
                Path.of("/shared/jobs/x.done"), "hangar-x", "mock", "10001:10001", 256, 60,
                new ProcessorSpec.Resources(0.5, 256, gpus, 30), "docker", dockerGpus, Path.of("/shared/jobs/x.alive"), 120);
    }

    @Test
    void isValidBashAndQuotesWhatItIsGiven() throws Exception {
        String text = script("run-'; rm -rf / #", 0, true).render();

        assertEquals(0, bashSyntax(text), text);
        assertTrue(text.contains("'HANGAR_EXECUTION_ID=run-'\"'\"'; rm -rf / #'"), text);
        assertTrue(text.contains("folder='/shared/run dir'"), text);
    }

    @Test
    void runsLockedDownWithTheSpecsLimitsAndNoNetwork() {
        String text = script("run-1", 0, true).render();

        for (String part : new String[] {"--network none", "--user '10001:10001'", "--read-only", "--cap-drop ALL",
                "--security-opt no-new-privileges", "--memory 256m", "--memory-swap 256m", "--cpus 0.500", "--pids-limit 256",
                "--rm", "--entrypoint python3", "'HANGAR_MODE=mock'"}) {
            assertTrue(text.contains(part), part + " in\n" + text);
        }
        assertFalse(text.contains("--gpus"), text);
        assertFalse(text.contains("CUDA_VISIBLE_DEVICES"), text);
    }

    @Test
    void gpuRunsGetTheAllocatedDevices() {
        assertTrue(script("run-1", 1, true).render().contains("--gpus \"device=${CUDA_VISIBLE_DEVICES}\""));
        String fake = script("run-1", 1, false).render();
        assertFalse(fake.contains("--gpus"), fake);
        assertTrue(fake.contains("-e \"CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}\""), fake);
    }

    @Test
    void slurmsTimeLimitIsAWholeMinuteAboveTheDeadline() {
        assertEquals(2, SlurmAdapter.timeLimitMinutes(2));
        assertEquals(2, SlurmAdapter.timeLimitMinutes(60));
        assertEquals(3, SlurmAdapter.timeLimitMinutes(61));
    }

    @Test
    void theWatchdogEndsTheRunOnceTheExecutorsHeartbeatGoesStale() throws Exception {
        Path dir = Files.createTempDirectory("job-watchdog");
        Path folder = Files.createDirectories(dir.resolve("run"));
        Files.writeString(folder.resolve("driver.py"), "");
        Path heartbeat = Files.createFile(dir.resolve("x.alive"));
        Path marker = dir.resolve("x.done");
        // a docker client whose container runs until `docker rm -f` removes it
        Path docker = dir.resolve("docker");
        Files.writeString(docker, """
                #!/bin/bash
                case "$1" in
                  run) echo $$ > "$FAKE_DIR/run.pid"; exec sleep 60;;
                  rm) kill "$(cat "$FAKE_DIR/run.pid")" 2>/dev/null; exit 0;;
                  *) exit 0;;
                esac
                """);
        docker.toFile().setExecutable(true);
        String text = new JobScript("run-1", "executor-1", "img@sha256:" + "a".repeat(64), folder, marker, "hangar-x", "mock",
                "10001:10001", 256, 60, new ProcessorSpec.Resources(0.5, 256, 0, 30), docker.toString(), false, heartbeat, 2).render();
        Path script = dir.resolve("job.sh");
        Files.writeString(script, text);
        var builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
        builder.environment().put("FAKE_DIR", dir.toString());
        Process job = builder.start();
        try {
            long until = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) { // the executor follows the run: its heartbeat is fresh
                Files.setLastModifiedTime(heartbeat, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
                assertTrue(job.isAlive(), "ended with a fresh heartbeat: " + Files.readString(dir.resolve("out")));
                Thread.sleep(300);
            }
            long stale = System.nanoTime(); // the executor is gone: nothing touches it any more

            assertTrue(job.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the job outlived its executor");
            long took = (System.nanoTime() - stale) / 1_000_000;
            assertEquals(143, job.exitValue());
            assertEquals("143", Files.readString(marker).strip(), "the container was removed and the marker written");
            assertTrue(took >= 1500 && took < 8000, "ended " + took + " ms after the last heartbeat (2 s allowed)");
            assertTrue(Files.readString(dir.resolve("out")).contains("no heartbeat for 2 s"), Files.readString(dir.resolve("out")));
        } finally {
            job.destroyForcibly();
        }
    }

    private static int bashSyntax(String text) throws IOException, InterruptedException {
        Path file = Files.createTempFile("job", ".sh");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return new ProcessBuilder("bash", "-n", file.toString()).inheritIO().start().waitFor();
        } finally {
            Files.delete(file);
        }
    }
}
