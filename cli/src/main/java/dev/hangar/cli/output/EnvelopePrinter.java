package dev.hangar.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.ErrorReporter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.OutputRef;
import java.io.PrintWriter;

/** The readable end-of-run summary on stdout. */
public final class EnvelopePrinter {
    private EnvelopePrinter() {}

    public static void print(Envelope env, JsonNode raw, PrintWriter out) {
        field(out, "status", env.status().wire());
        field(out, "execution id", env.executionId());
        Envelope.Meta meta = env.meta();
        if (meta != null && meta.ref() != null) {
            field(out, "ref", meta.ref() + " (" + join(wire(meta.adapter()), wire(meta.mode()), wire(meta.platform())) + ")");
        }
        if (meta != null && meta.durationMs() != null) {
            field(out, "duration", Output.millis(meta.durationMs())
                    + (meta.queueMs() == null ? "" : " (queued " + Output.millis(meta.queueMs()) + ")"));
        }
        if (meta != null && (meta.cost() != null || meta.plan() != null)) {
            field(out, "cost", (meta.cost() == null ? "-" : credits(meta.cost()))
                    + (meta.plan() == null ? "" : " (plan " + meta.plan() + ")"));
        }
        if (meta != null && meta.imageDigest() != null) {
            field(out, "image", meta.imageDigest());
        }
        if (env.outputs() != null) {
            field(out, "outputs", String.valueOf(env.outputs().size()));
            for (OutputRef o : env.outputs()) {
                out.println("  " + o.path() + "  " + Output.size(o.sizeBytes()) + "  " + o.cid());
            }
        }
        if (env.indexPath() != null) {
            field(out, "index", env.indexPath());
        }
        if (env.error() != null) {
            ErrorCode code = env.error().code();
            String codeText = code != null ? code.name() : raw.path("error").path("code").asText("ERR_?");
            field(out, "error", codeText + ": " + env.error().message());
            if (env.status() != dev.hangar.contracts.RunStatus.CANCELED) {
                field(out, "advice", ErrorReporter.advice(code));
            }
            String tail = env.error().stderrTail();
            if (tail != null && !tail.isBlank()) {
                out.println("stderr tail:");
                Terminal.clean(tail).lines().forEach(l -> out.println("  | " + l));
            }
        }
        out.flush();
    }

    /** Credits without float noise: {@code 0.000231 credits}. */
    public static String credits(double value) {
        return amount(value) + " credits";
    }

    /** A number of credits, to the millionth: {@code 0.000231}, {@code 10}. */
    public static String amount(double value) {
        return java.math.BigDecimal.valueOf(value).setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(String.format("%-13s %s", name + ":", value == null ? "-" : value));
    }

    private static String wire(Object value) {
        return value == null ? null : Json.write(value).replace("\"", "");
    }

    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (p != null) {
                b.append(b.isEmpty() ? "" : ", ").append(p);
            }
        }
        return b.toString();
    }
}
