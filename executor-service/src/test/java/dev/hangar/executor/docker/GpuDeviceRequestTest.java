package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import dev.hangar.contracts.ProcessorSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device request a GPU run's container is created with ({@code docker run --gpus N}), checked
 * on the create command the engine would get, without a GPU or an engine (this host has neither GPU
 * nor the NVIDIA runtime).
 */
class GpuDeviceRequestTest {

    @Test
    void aRunAskingForTwoGpusIsCreatedWithOneNvidiaRequestForTwoGpus() throws Exception {
        var host = RunContainer.lockedDown(Path.of("/tmp/hangar-run"), new ProcessorSpec.Resources(1, 512, 2, 60), 256);
        var create = new CreateContainerCmdImpl(cmd -> {
            throw new AssertionError("the test never sends it");
        }, null, "127.0.0.1:5000/tests/gpu@sha256:" + "a".repeat(64)).withHostConfig(host);

        var requests = create.getHostConfig().getDeviceRequests();
        assertEquals(List.of(new DeviceRequest().withDriver("nvidia").withCount(2).withCapabilities(List.of(List.of("gpu")))), requests);
        var wire = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(create)).path("HostConfig").path("DeviceRequests");
        assertEquals(new ObjectMapper().readTree("[{\"Driver\":\"nvidia\",\"Count\":2,\"Capabilities\":[[\"gpu\"]]}]"),
                withoutNulls(wire), "the engine API's DeviceRequests, as docker run --gpus 2 sends it");
        assertEquals("none", create.getHostConfig().getNetworkMode(), "a GPU run is locked down like any other");
    }

    @Test
    void aRunWithoutGpusHasNoDeviceRequest() {
        var host = RunContainer.lockedDown(Path.of("/tmp/hangar-run"), new ProcessorSpec.Resources(1, 512, 0, 60), 256);
        assertNull(host.getDeviceRequests());
    }

    private static com.fasterxml.jackson.databind.JsonNode withoutNulls(com.fasterxml.jackson.databind.JsonNode array) {
        array.forEach(n -> {
            var fields = new java.util.ArrayList<String>();
            n.fieldNames().forEachRemaining(fields::add);
            fields.stream().filter(f -> n.get(f).isNull()).forEach(((com.fasterxml.jackson.databind.node.ObjectNode) n)::remove);
        });
        return array;
    }
}
