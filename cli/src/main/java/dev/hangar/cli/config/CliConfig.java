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
import java.time.Duration;
import java.util.Map;

/**
 * Where the gateway is, which API key to send and how long a call may take. Each value comes from
 * the option, else the environment ({@code HANGAR_BASE_URL} or its older spelling
 * {@code HANGAR_URL}; {@code HANGAR_API_KEY} or {@code HANGAR_TOKEN}; {@code HANGAR_TIMEOUT} in
 * ms), else the config file ({@code $HANGAR_CONFIG}, else {@code $XDG_CONFIG_HOME/hangar/config.json},
 * else {@code ~/.config/hangar/config.json}; keys {@code url}, {@code token} and
 * {@code timeout_ms}: what {@code hangar login} stores), else the default; a key last from
 * {@code HANGAR_FALLBACK_TOKEN} ({@code bin/hangar} sets it to the local stack's own, so what
 * {@code hangar login} stored wins over it). {@code tokenSource} says where the key came from, so a
 * refused key can be traced to the place to fix it.
 */
public record CliConfig(URI url, String token, Duration timeout, String tokenSource) {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    /** The default of {@code --timeout}: 120000 ms. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    /** The largest {@code --timeout}: a day, in ms. */
    public static final long MAX_TIMEOUT_MS = 86_400_000L;

    public CliConfig(URI url, String token) {
        this(url, token, DEFAULT_TIMEOUT, token == null ? null : "the command");
    }

    public static CliConfig resolve(String urlOption, String tokenOption) {
        return resolve(urlOption, tokenOption, null);
    }

    /** As {@link #resolve(String, String)}, with {@code --timeout} in ms (null: not given). */
    public static CliConfig resolve(String urlOption, String tokenOption, Long timeoutMsOption) {
        return resolve(urlOption, tokenOption, timeoutMsOption, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static CliConfig resolve(String urlOption, String tokenOption, Map<String, String> env, Path home) {
        return resolve(urlOption, tokenOption, null, env, home);
    }

    static CliConfig resolve(String urlOption, String tokenOption, Long timeoutMsOption, Map<String, String> env, Path home) {
        String url = firstSet(urlOption, env.get("HANGAR_BASE_URL"), env.get("HANGAR_URL"));
        Source token = Source.first(new Source(tokenOption, "--api-key"), new Source(env.get("HANGAR_API_KEY"), "$HANGAR_API_KEY"),
                new Source(env.get("HANGAR_TOKEN"), "$HANGAR_TOKEN"));
        String timeout = timeoutMsOption != null ? timeoutMsOption.toString() : firstSet(env.get("HANGAR_TIMEOUT"));
        String timeoutFrom = timeoutMsOption != null ? "--timeout" : "$HANGAR_TIMEOUT";
        if (url == null || token == null || timeout == null) {
            Path path = configFile(env, home);
            JsonNode file = readFile(path);
            url = firstSet(url, text(file, "url"));
            token = Source.first(token, new Source(text(file, "token"), "the config file " + path),
                    new Source(env.get("HANGAR_FALLBACK_TOKEN"), "the local stack's key ($HANGAR_FALLBACK_TOKEN)"));
            if (timeout == null && file != null && file.hasNonNull("timeout_ms")) {
                timeout = file.get("timeout_ms").asText();
                timeoutFrom = "timeout_ms in the config file " + path;
            }
        }
        return new CliConfig(parseUrl(firstSet(url, DEFAULT_URL)), token == null ? null : token.value(),
                timeout == null ? DEFAULT_TIMEOUT : parseTimeout(timeoutFrom, timeout), token == null ? null : token.from());
    }

    /** A value and where it was given. */
    private record Source(String value, String from) {
        static Source first(Source... sources) {
            for (Source s : sources) {
                if (s != null && s.value() != null && !s.value().isBlank()) {
                    return s;
                }
            }
            return null;
        }
    }

    /** Whole milliseconds, 1 to a day; {@code from} names where the text came from. */
    public static Duration parseTimeout(String from, String text) {
        try {
            long ms = Long.parseLong(text.strip());
            if (ms >= 1 && ms <= MAX_TIMEOUT_MS) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CliError(ErrorCode.ERR_OPTION_INVALID, from + " must be a whole number of milliseconds from 1 to "
                + MAX_TIMEOUT_MS + " (e.g. 120000 for two minutes), got '" + text + "'");
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
