package dev.hangar.cli.config;

import dev.hangar.cli.client.GatewayClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --base-url} and {@code --api-key} (older spellings {@code --url}, {@code --token}), for
 * a command that talks to the gateway but has a {@code --timeout} of its own ({@code run}, whose
 * {@code --timeout} is the run's deadline). Everything else uses {@link GatewayOptions}. A value
 * given here wins over the same global option given before the command ({@code hangar --api-key K
 * runs list}), which wins over the environment and the config file ({@link CliConfig}).
 */
public class ConnectionOptions {
    /** The name of the root command's mixin, where the global options given before a command land. */
    public static final String GLOBAL = "global";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--base-url", paramLabel = "URL",
            description = "Gateway base URL (default: $HANGAR_BASE_URL, else `url` in ~/.config/hangar/config.json, else "
                    + CliConfig.DEFAULT_URL + "). Older spellings: --url, $HANGAR_URL.")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "API key, sent as a bearer token (default: $HANGAR_API_KEY, else `token` in the config file, as "
                    + "`hangar login` stores it). Prefer the variable: a flag shows in `ps`. Older spellings: --token, "
                    + "$HANGAR_TOKEN.")
    String apiKey;

    /** The older spelling of {@code --base-url}, kept working and out of the help. */
    @Option(names = "--url", paramLabel = "URL", hidden = true)
    void legacyUrl(String value) {
        url = value;
    }

    /** The older spelling of {@code --api-key}. */
    @Option(names = "--token", paramLabel = "KEY", hidden = true)
    void legacyToken(String value) {
        apiKey = value;
    }

    /** This command's {@code --timeout} in ms, if it has one and it was given. */
    Long timeoutMs() {
        return null;
    }

    /** The URL, key and timeout: this command's options, else the global ones, else environment and file. */
    public CliConfig resolve() {
        ConnectionOptions global = global();
        return CliConfig.resolve(first(url, global == null ? null : global.url), first(apiKey, global == null ? null : global.apiKey),
                first(timeoutMs(), global == null ? null : global.timeoutMs()));
    }

    /** A client for the resolved gateway; a malformed URL, timeout or config file fails here, before any request. */
    public GatewayClient client() {
        return GatewayClient.of(resolve());
    }

    private ConnectionOptions global() {
        return mixee == null || mixee.root() == mixee ? null : global(mixee);
    }

    /** The options given before the command ({@code hangar --base-url U cmd}), or null outside the full tree. */
    public static ConnectionOptions global(CommandSpec command) {
        CommandSpec mixin = command.root().mixins().get(GLOBAL);
        return mixin != null && mixin.userObject() instanceof ConnectionOptions o ? o : null;
    }

    /** {@code --base-url} as given here, or null. */
    public String url() {
        return url;
    }

    /** {@code --timeout} as given here in ms, or null. */
    public Long timeout() {
        return timeoutMs();
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }
}
