package dev.hangar.cli.config;

import dev.hangar.cli.client.GatewayClient;
import picocli.CommandLine.Option;

/** {@code --url} and {@code --token}, mixed into every command that talks to the gateway. */
public final class GatewayOptions {
    @Option(names = "--url", paramLabel = "URL",
            description = "Gateway base URL (default: $HANGAR_URL, else `url` in ~/.config/hangar/config.json, "
                    + "else " + CliConfig.DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token, sent as a bearer token (default: $HANGAR_TOKEN, else `token` in the config file).")
    String token;

    /** The URL and token these options, the environment and the config file name. */
    public CliConfig resolve() {
        return CliConfig.resolve(url, token);
    }

    /** A client for the resolved gateway; a malformed URL or config file fails here, before any request. */
    public GatewayClient client() {
        CliConfig config = CliConfig.resolve(url, token);
        return new GatewayClient(config.url(), config.token());
    }
}
