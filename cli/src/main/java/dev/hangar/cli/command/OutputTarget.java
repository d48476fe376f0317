package dev.hangar.cli.command;

import java.io.File;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Where {@code -o} puts file outputs, as typed: {@code out/} (a trailing separator) always names a
 * folder, even one that does not exist yet; {@code out.png} names a file when there is one output
 * and a folder when there are several. A {@link Path} alone would drop the trailing separator.
 */
record OutputTarget(Path path, boolean folder) {
    static OutputTarget folder(Path path) {
        return new OutputTarget(path, true);
    }

    /** Picocli's conversion of the option's value. */
    static final class Converter implements CommandLine.ITypeConverter<OutputTarget> {
        @Override
        public OutputTarget convert(String value) {
            return new OutputTarget(Path.of(value), value.endsWith("/") || value.endsWith(File.separator));
        }
    }
}
