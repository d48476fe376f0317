package dev.hangar.cli.config;

import dev.hangar.cli.error.CliError;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The global options {@code --base-url}, {@code --api-key} and {@code --timeout}: on {@code hangar}
 * itself (before the command) and mixed into every command that talks to the gateway.
 */
public final class GatewayOptions extends ConnectionOptions {
    @Option(names = "--timeout", paramLabel = "MS", converter = TimeoutConverter.class,
            description = "How long one gateway call may take, retries included, in milliseconds (default: $HANGAR_TIMEOUT, "
                    + "else `timeout_ms` in the config file, else 120000).")
    Long timeout;

    @Override
    Long timeoutMs() {
        return timeout;
    }

    /** Milliseconds, 1 to a day; anything else is a usage error that names the option. */
    static final class TimeoutConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return CliConfig.parseTimeout("--timeout", value).toMillis();
            } catch (CliError e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
