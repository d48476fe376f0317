package dev.hangar.cli.output;

import dev.hangar.cli.error.ErrorReporter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.RunStatus;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The readable end-of-run summary on stdout. */
public final class EnvelopePrinter {
    private EnvelopePrinter() {}

    /** {@code errorCode}: the code as the gateway sent it, which this CLI's {@link ErrorCode} may not know. */
    public static void print(Envelope env, String errorCode, PrintWriter out) {
        field(out, "status", env.status().wire());
        field(out, "execution id", env.executionId());
        Envelope.Meta meta = env.meta();
        if (meta != null && meta.ref() != null) {
            String where = Stream.of(meta.adapter() == null ? null : meta.adapter().wire(),
                    meta.mode() == null ? null : meta.mode().wire(),
                    meta.platform() == null ? null : meta.platform().wire())
                    .filter(Objects::nonNull).collect(Collectors.joining(", "));
            field(out, "ref", meta.ref() + " (" + where + ")");
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
            field(out, "error", (errorCode != null ? errorCode : "ERR_?") + ": " + env.error().message());
            if (env.status() != RunStatus.CANCELED) {
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

}
