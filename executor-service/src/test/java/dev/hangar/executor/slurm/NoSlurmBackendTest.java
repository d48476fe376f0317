package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.executor.service.RunAdapter;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** An executor with the default backend (docker) has no Slurm adapter: REMOTE stays unavailable there. */
@QuarkusTest
class NoSlurmBackendTest {
    @Inject
    Instance<RunAdapter> adapters;

    @Test
    void thereIsNoRemoteAdapter() {
        assertTrue(SlurmBackendSelectionTest.remote(adapters).isEmpty(), "backend docker (the default) has no remote adapter");
    }
}
