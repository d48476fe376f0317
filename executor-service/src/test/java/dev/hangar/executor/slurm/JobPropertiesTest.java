package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ProcessorSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@code POST job/submit} carries for a run: checked on the JSON slurmrestd receives. */
class JobPropertiesTest {
    private static final Path FOLDER = Path.of("/shared/hangar/r-0123456789-1");
    private static final Path OUTPUT = Path.of("/shared/hangar/jobs/r-0123456789-1.out");

    private static JsonNode submitted(ProcessorSpec.Resources limits) throws Exception {
        var job = SlurmAdapter.jobProperties("r-0123456789", "gpu", FOLDER, OUTPUT, limits);
        return SlurmClient.JSON.readTree(SlurmClient.JSON.writeValueAsBytes(new SlurmWire.Submission("#!/bin/bash\n", job)))
                .path("job");
    }

    @Test
    void aGpuRunAsksForGresGpuN() throws Exception {
        JsonNode job = submitted(new ProcessorSpec.Resources(1.5, 2048, 2, 125));

        assertEquals("gpu:2", job.path("gres").asText(), "the job asks Slurm for the run's GPUs: " + job);
        assertEquals(2, job.path("cpus_per_task").asInt(), "CPUs rounded up");
        assertEquals(2048, job.path("memory_per_node").asLong());
        assertEquals(4, job.path("time_limit").asInt(), "125 s -> 3 min, plus one");
        assertEquals("gpu", job.path("partition").asText());
        assertEquals("1", job.path("nodes").asText());
        assertFalse(job.path("requeue").asBoolean(), "no requeue: a second start would not be this attempt");
        assertEquals("hangar-r-0123456789", job.path("name").asText());
        assertEquals(1, job.path("environment").size(), "PATH only: " + job.path("environment"));
    }

    @Test
    void aCpuRunAsksForNoGres() throws Exception {
        JsonNode job = submitted(new ProcessorSpec.Resources(0.5, 256, 0, 60));

        assertFalse(job.has("gres"), job.toString());
        assertEquals(1, job.path("cpus_per_task").asInt());
    }

    @Test
    void theMessageForAJobNoNodeCanHoldSaysWhatItAsks() {
        var job = SlurmAdapter.jobProperties("r-0123456789", null, FOLDER, OUTPUT, new ProcessorSpec.Resources(1, 512, 2, 60));

        assertEquals("1 CPU(s), 512 MiB, gres gpu:2, 2 min", SlurmAdapter.asks(job));
    }
}
