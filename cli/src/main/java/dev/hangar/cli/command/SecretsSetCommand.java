package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.Terminal;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.SecretValue;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code hangar secrets set NAME}: the value comes from stdin, an environment variable or a
 * file, never from the command line, where {@code ps} and shell history would show it.
 */
@Command(name = "set", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Store a secret's value (creates or replaces it).",
                "The value is read from standard input (one trailing newline is dropped; on a terminal it is",
                "prompted for without echo), or from --from-env VAR, or from --from-file PATH (taken as is).",
                "It is never taken from the command line: arguments show in `ps` and in shell history.",
                "Example: printf %%s \"$TOKEN\" | hangar secrets set OPENAI_API_KEY"})
public final class SecretsSetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name: A-Z, 0-9 and _, starting with a letter.")
    String name;

    @Option(names = "--from-env", paramLabel = "VAR", description = "Take the value from environment variable VAR.")
    String fromEnv;

    @Option(names = "--from-file", paramLabel = "PATH", description = "Take the value from a file, byte for byte (UTF-8).")
    Path fromFile;

    /** Anything else on the line: refused without being echoed, since it may be the value. */
    @Unmatched
    List<String> unmatched;

    /** Where the value is read from without --from-*; tests substitute it. */
    InputStream stdin = System.in;

    /** A terminal to prompt on, or null; tests clear it. */
    Console console = Terminal.console();

    Map<String, String> env = System.getenv();

    Path cwd = Path.of("");

    @Override
    public Integer call() {
        checkArguments();
        String value = value();
        try (GatewayClient client = gateway.client()) {
            client.putSecret(name, value);
        }
        Output out = Output.of(spec);
        out.out().println("secret " + name + " set");
        out.out().flush();
        return 0;
    }

    void checkArguments() {
        if (unmatched != null && !unmatched.isEmpty()) {
            List<String> options = unmatched.stream().filter(a -> a.startsWith("-")).toList();
            if (!options.isEmpty()) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "unknown option " + options.get(0)
                        + "; see 'hangar secrets set --help'");
            }
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "secrets set takes only NAME: a secret's value is never "
                    + "given on the command line (it would show in ps and shell history); pipe it on stdin, "
                    + "or use --from-env VAR or --from-file PATH");
        }
        checkName(name);
        if (fromEnv != null && fromFile != null) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--from-env and --from-file are mutually exclusive");
        }
    }

    /** The contract's name rule, as the gateway applies it; a NAME=value argument is refused without showing the value. */
    static void checkName(String name) {
        if (name.contains("=")) {
            throw new CliError(ErrorCode.ERR_SECRET_INVALID, "give the secret's NAME alone: its value is never taken from "
                    + "the command line; pipe it on stdin, or use --from-env VAR or --from-file PATH");
        }
        CliError.check(() -> SecretValue.requireName(name));
    }

    /** The value from the chosen source, checked for size (1 byte to 64 KiB). */
    String value() {
        String value;
        if (fromEnv != null) {
            value = env.get(fromEnv);
            if (value == null) {
                throw new CliError(ErrorCode.ERR_SECRET_INVALID, "--from-env " + fromEnv + ": that environment variable is not set");
            }
        } else if (fromFile != null) {
            value = fromFile(cwd.resolve(fromFile));
        } else if (console != null && stdin == System.in) {
            char[] typed = console.readPassword("value of %s (not shown): ", name);
            value = typed == null ? "" : new String(typed);
        } else {
            value = fromStdin();
        }
        return CliError.check(() -> SecretValue.requireValue(name, value));
    }

    private String fromStdin() {
        try {
            byte[] read = stdin.readNBytes(SecretValue.MAX_VALUE_BYTES + 3); // room for the newline that is dropped, and to tell "too long"
            String text = utf8(read, "standard input");
            if (text.endsWith("\r\n")) {
                return text.substring(0, text.length() - 2);
            }
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_SECRET_INVALID, "cannot read standard input: " + e.getMessage(), e);
        }
    }

    private static String fromFile(Path file) {
        try {
            if (Files.size(file) > SecretValue.MAX_VALUE_BYTES) {
                throw new CliError(ErrorCode.ERR_SECRET_INVALID, "--from-file " + file + " is larger than 64 KiB");
            }
            return utf8(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new CliError(ErrorCode.ERR_SECRET_INVALID, "--from-file " + file + ": no such file");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_SECRET_INVALID, "--from-file " + file + ": cannot read it: " + e.getMessage(), e);
        }
    }

    private static String utf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CliError(ErrorCode.ERR_SECRET_INVALID, "the value from " + source + " is not UTF-8 text");
        }
    }
}
