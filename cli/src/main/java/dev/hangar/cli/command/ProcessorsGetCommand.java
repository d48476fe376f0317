package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar processors get REF}: one processor version with its pins. */
@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show one processor version: image, pinned digests, limits, secrets, outputs.")
public final class ProcessorsGetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "NS/NAME@VER", description = "The processor version, e.g. examples/echo@1.")
    String ref;

    @Option(names = "--json", description = "Print the processor spec as JSON.")
    boolean json;

    @Override
    public Integer call() {
        ProcessorRef parsed = ProcessorRef.parse(ref);
        ProcessorSpec p;
        try (GatewayClient client = gateway.client()) {
            p = client.getProcessor(parsed);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(p);
            return 0;
        }
        PrintWriter w = out.out();
        w.println(p.ref() + (p.description() == null ? "" : "  " + p.description()));
        w.println("image:    " + p.image());
        if (p.digests().isEmpty()) {
            w.println("digests:  none pinned");
        }
        p.digests().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> w.println("digest:   " + e.getKey() + "  " + e.getValue()));
        var r = p.runtime();
        w.println("runtime:  cpu " + r.cpu() + ", memory " + r.memoryMb() + " MB, gpus " + r.gpus()
                + ", timeout " + r.timeoutSeconds() + " s");
        if (!p.secrets().isEmpty()) {
            w.println("secrets:  " + String.join(", ", p.secrets()));
        }
        for (ProcessorSpec.OutputDecl o : p.outputs()) {
            w.println("output:   " + o.name() + (o.mime() == null ? "" : " (" + o.mime() + ")")
                    + (o.description() == null ? "" : "  " + o.description()));
        }
        w.flush();
        return 0;
    }
}
