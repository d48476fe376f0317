package dev.hangar.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Runs the real command tree in-process and captures what it prints. */
public final class CliRunner {
    private CliRunner() {}

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(String... args) {
        return run(cli -> {}, args);
    }

    /** {@code setup} may reach into the command objects (e.g. to give {@code run} a stdin). */
    public static Result run(Consumer<CommandLine> setup, String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        setup.accept(cli);
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** A loopback port nothing listens on. */
    public static int closedPort() {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String closedUrl() {
        return "http://127.0.0.1:" + closedPort();
    }
}
