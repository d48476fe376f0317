package dev.hangar.cli.output;

import java.time.LocalDate;
import java.util.Locale;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A man(7) page for one command, from the same picocli model that prints {@code --help}, so the
 * two never disagree. (picocli-codegen writes AsciiDoc, which needs asciidoctor — JRuby — to
 * become a man page; the model-to-troff step is this class.)
 */
public final class ManPage {
    private ManPage() {}

    /** {@code hangar runs watch} → {@code hangar-runs-watch}. */
    public static String name(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    public static String render(CommandSpec spec, String version, LocalDate date) {
        var out = new StringBuilder();
        String name = name(spec);
        out.append(".TH ").append(quote(name.toUpperCase(Locale.ROOT))).append(" 1 ").append(quote(date.toString()))
                .append(' ').append(quote("hangar " + version)).append(" \"Hangar Manual\"\n");
        out.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(first(spec.usageMessage().description())))
                .append('\n');
        out.append(".SH SYNOPSIS\n.nf\n")
                .append(escape(spec.commandLine().getHelp().synopsis(0).strip())).append("\n.fi\n");
        out.append(".SH DESCRIPTION\n");
        for (String line : spec.usageMessage().description()) {
            out.append(escape(line)).append("\n.br\n");
        }
        if (!spec.positionalParameters().isEmpty()) {
            out.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                item(out, p.paramLabel(), p.description());
            }
        }
        if (!spec.options().isEmpty()) {
            out.append(".SH OPTIONS\n");
            for (OptionSpec o : spec.options()) {
                if (!o.hidden()) {
                    String label = String.join(", ", o.names()) + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
                    item(out, label, o.description());
                }
            }
        }
        if (!spec.subcommands().isEmpty()) {
            out.append(".SH COMMANDS\n");
            spec.subcommands().forEach((sub, cmd) -> {
                if (!sub.equals(cmd.getCommandSpec().name())) {
                    return; // an alias
                }
                item(out, sub, cmd.getCommandSpec().usageMessage().description());
            });
        }
        if (spec.usageMessage().footer().length > 0) {
            out.append(".SH NOTES\n");
            for (String line : spec.usageMessage().footer()) {
                if (!line.isBlank()) {
                    out.append(escape(line)).append("\n.br\n");
                }
            }
        }
        out.append(".SH SEE ALSO\n").append(spec.parent() == null ? "hangar-run(1), hangar-runs(1)" : "hangar(1)").append('\n');
        return out.toString();
    }

    private static void item(StringBuilder out, String label, String[] description) {
        out.append(".TP\n.B ").append(escape(label)).append('\n');
        for (String line : description) {
            out.append(escape(line)).append('\n'); // picocli has filled in ${DEFAULT-VALUE} and the like
        }
    }

    private static String first(String[] lines) {
        return lines.length == 0 ? "" : lines[0];
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "'") + "\"";
    }

    /** Backslashes and leading dots or quotes would be read as troff requests. */
    static String escape(String s) {
        String e = Help.Ansi.OFF.string(s).replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
