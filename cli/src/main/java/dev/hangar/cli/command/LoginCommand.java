package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.CliConfig;
import dev.hangar.cli.config.ConnectionOptions;
import dev.hangar.cli.config.CredentialsFile;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.Terminal;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Session;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hangar login}: checks an API token against the gateway ({@code GET /v1/session}) and
 * stores it with the URL in the config file, mode 0600. The token comes from standard input or a
 * prompt without echo, never from the command line, and is never printed.
 */
@Command(name = "login", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Check an API token against the gateway and store it (and the URL) in the config file.",
                "The file ($HANGAR_CONFIG, else ~/.config/hangar/config.json) is written with mode 0600.",
                "The token is read from standard input with --token-stdin, else prompted for without echo;",
                "it is never taken from the command line and never printed.",
                "Example: printf %%s \"$TOKEN\" | hangar login --token-stdin --url https://hangar.example.com"})
public final class LoginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base-url", paramLabel = "URL",
            description = "Gateway base URL (default: the global --base-url, else $HANGAR_BASE_URL, else `url` in the config "
                    + "file, else " + CliConfig.DEFAULT_URL + "). Older spellings: --url, $HANGAR_URL.")
    String url;

    @Option(names = "--url", paramLabel = "URL", hidden = true)
    void legacyUrl(String value) {
        url = value;
    }

    @Option(names = "--token-stdin", description = "Read the token from standard input (one line; surrounding space is dropped).")
    boolean tokenStdin;

    /** Tests substitute these. */
    InputStream stdin = System.in;
    Console console = Terminal.console();
    CredentialsFile file = CredentialsFile.fromEnvironment();

    @Override
    public Integer call() {
        String token = token();
        ConnectionOptions global = ConnectionOptions.global(spec);
        CliConfig config = CliConfig.resolve(url != null || global == null ? url : global.url(), "unused",
                global == null ? null : global.timeout());
        var base = config.url();
        Session.Info who;
        try (GatewayClient client = new GatewayClient(base, token, GatewayClient.Settings.DEFAULT.withTimeout(config.timeout()))) {
            who = client.session();
        } catch (CliError e) {
            if (ErrorCode.ERR_UNAUTHORIZED.name().equals(e.code())) {
                throw new CliError(ErrorCode.ERR_UNAUTHORIZED, "the gateway at " + base + " does not accept that token; "
                        + "nothing was stored", e);
            }
            throw e;
        }
        file.login(base.toString(), token);
        Output out = Output.of(spec);
        out.err().println("logged in to " + base + " as " + who.owner() + " (token stored in " + file.path() + ")");
        out.err().flush();
        return 0;
    }

    private String token() {
        String token;
        if (tokenStdin) {
            try {
                token = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot read standard input: " + e.getMessage(), e);
            }
        } else if (console != null) {
            char[] typed = console.readPassword("API token: ");
            token = typed == null ? null : new String(typed);
        } else {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "no terminal to prompt on: pipe the token in with --token-stdin");
        }
        if (token == null || token.isBlank()) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "no token given; pass one on standard input with --token-stdin");
        }
        return token.strip();
    }
}
