package dev.hangar.cli.output;

import java.io.Console;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether stderr is a person's terminal, so a status line may rewrite itself. Only then: piped,
 * redirected, {@code TERM=dumb} (or no TERM at all) and CI logs get plain lines without
 * {@code \r} or escape codes.
 */
public final class Terminal {
    private static final Pattern ESCAPES = Pattern.compile("\u001B(\\[[0-?]*[ -/]*[@-~]|\\][^\u0007\u001B]*(\u0007|\u001B\\\\)?|[@-Z\\\\-_])");
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F\\x9B]");

    private Terminal() {}

    /** {@code System.console() != null} and TERM set and not {@code dumb}; on Linux, fd 2 must be a tty too. */
    public static boolean stderr() {
        return detect(console() != null, System.getenv(), Path.of("/proc/self/fd/2"));
    }

    static boolean detect(boolean console, Map<String, String> env, Path fd2) {
        String term = env.get("TERM");
        if (!console || term == null || term.isBlank() || term.equals("dumb")) {
            return false;
        }
        // the console only tells about stdin and stdout; stderr may still go to a file
        try {
            String target = Files.readSymbolicLink(fd2).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception e) {
            return true; // no /proc (not Linux): trust the console
        }
    }

    /** The console when stdin and stdout are a person's terminal (so a prompt can be answered), else null. */
    public static Console console() {
        Console c = System.console();
        return c != null && isTerminal(c) ? c : null;
    }

    /** {@code Console.isTerminal()} exists from Java 22; this CLI is compiled for 21. */
    private static boolean isTerminal(Console console) {
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** The terminal's width: {@code $COLUMNS}, else what {@code stty size} says about /dev/tty, else 80. */
    public static int width() {
        Integer w = columns(System.getenv("COLUMNS"));
        if (w == null) {
            w = stty();
        }
        return w == null ? 80 : w;
    }

    private static Integer columns(String text) {
        try {
            int w = Integer.parseInt(text == null ? "" : text.strip());
            return w >= 20 ? w : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer stty() {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
            if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            String[] rowsCols = out.split("\\s+");
            return rowsCols.length == 2 ? columns(rowsCols[1]) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Text from a processor, safe to print: escape sequences and control characters other than
     * newline and tab removed, so a container's output cannot move the cursor or rewrite the screen.
     */
    public static String clean(String text) {
        if (text == null) {
            return "";
        }
        String s = ESCAPES.matcher(text).replaceAll("");
        return CONTROLS.matcher(s.replace("\r\n", "\n")).replaceAll("");
    }
}
