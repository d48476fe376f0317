package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.executor.service.RunAdapter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** {@code hangar.executor.backend=slurm} makes the Slurm adapter the executor's REMOTE adapter. */
@QuarkusTest
@TestProfile(SlurmBackendSelectionTest.Profile.class)
class SlurmBackendSelectionTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hangar.executor.backend", "slurm", "hangar.executor.slurm.shared-dir", "/tmp/hangar-slurm-selection");
        }
    }

    static List<RunAdapter> remote(Instance<RunAdapter> adapters) {
        return StreamSupport.stream(adapters.spliterator(), false).filter(a -> a.name() == Adapter.REMOTE).toList();
    }

    @Inject
    Instance<RunAdapter> adapters;

    @Test
    void theSlurmAdapterIsTheRemoteOne() {
        var remote = remote(adapters);
        assertEquals(1, remote.size());
        assertTrue(remote.getFirst() instanceof SlurmAdapter, remote.getFirst().getClass().getName());
    }
}
