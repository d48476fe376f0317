package dev.hangar.executor.service;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SecretValue;
import dev.hangar.executor.client.RegistryClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A RunService for tests outside its package: a fixed spec, no secrets, an adapter that succeeds. */
public final class RunServices {
    private RunServices() {}

    public static RunService withSuccessfulAdapter(AtomicInteger calls) {
        ProcessorSpec spec = Fixtures.spec("127.0.0.1:5000/tests/echo", List.of());
        RegistryClient registry = new RegistryClient() {
            @Override
            public ProcessorSpec get(String ns, String name, int version) {
                return spec;
            }

            @Override
            public LocalBuild latestBuild(String ns, String name, int version) {
                throw new UnsupportedOperationException();
            }
        };
        RunAdapter adapter = new RunAdapter() {
            @Override
            public Adapter name() {
                return Adapter.LOCAL;
            }

            @Override
            public Envelope execute(RunPlan plan, ActiveRun run) {
                calls.incrementAndGet();
                return run.success(List.of(), plan.writePrefix());
            }
        };
        return Fixtures.service(new Fixtures.RecordingPublisher(), registry, (token, lookup) -> new SecretValue.Values(Map.of()),
                List.of(adapter));
    }
}
