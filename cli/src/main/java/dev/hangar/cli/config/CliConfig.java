package dev.hangar.cli.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.client.CliJson;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the gateway is and which token to send. Each value comes from the option, else the
 * environment ({@code HANGAR_URL}, {@code HANGAR_TOKEN}), else the config file
 * ({@code $HANGAR_CONFIG}, else {@code $XDG_CONFIG_HOME/hangar/config.json}, else
 * {@code ~/.config/hangar/config.json}, keys {@code url} and {@code token}), else the default;
 * a token last from {@code HANGAR_FALLBACK_TOKEN} ({@code bin/hangar} sets it to the local
 * stack's own, so what {@code hangar login} stored wins over it).
 */
public record CliConfig(URI url, String token) {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";

    public static CliConfig resolve(String urlOption, String tokenOption) {
        return resolve(urlOption, tokenOption, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static CliConfig resolve(String urlOption, String tokenOption, Map<String, String> env, Path home) {
        String url = firstSet(urlOption, env.get("HANGAR_URL"));
        String token = firstSet(tokenOption, env.get("HANGAR_TOKEN"));
        if (url == null || token == null) {
            JsonNode file = readFile(configFile(env, home));
            url = firstSet(url, text(file, "url"));
            token = firstSet(token, text(file, "token"), env.get("HANGAR_FALLBACK_TOKEN"));
        }
        return new CliConfig(parseUrl(firstSet(url, DEFAULT_URL)), token);
    }

    static Path configFile(Map<String, String> env, Path home) {
        String explicit = env.get("HANGAR_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
        return dir.resolve("hangar").resolve("config.json");
    }

    private static JsonNode readFile(Path file) {
        try {
            JsonNode node = CliJson.parse(Files.readString(file));
            if (node == null || !node.isObject()) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "config file " + file + " must hold a JSON object");
            }
            return node;
        } catch (NoSuchFileException e) {
            return null;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "config file " + file + " is not valid JSON"
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    static URI parseUrl(String text) {
        String trimmed = text.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            URI uri = new URI(trimmed);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new CliError(ErrorCode.ERR_OPTION_INVALID, "gateway URL '" + text
                + "' is not an http(s) URL like " + DEFAULT_URL);
    }

    private static String text(JsonNode node, String key) {
        return node == null || !node.path(key).isTextual() ? null : node.get(key).asText();
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
