package dev.hangar.cli.command;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where to save a successful run's outputs: all of them below a folder, or the first one as a file. */
public final class SaveOption {
    @Option(names = "--save-dir", paramLabel = "DIR", required = true,
            description = "After success, download every output into DIR, at its path below the write prefix "
                    + "(folders are created; each file is checked against its sha256).")
    Path dir;

    @Option(names = "--save-first", paramLabel = "FILE", required = true,
            description = "After success, download the first output to FILE (checked against its sha256).")
    Path first;
}
