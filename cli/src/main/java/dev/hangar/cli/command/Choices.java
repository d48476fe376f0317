package dev.hangar.cli.command;

/** Closed option values; the constant names are the wire values, so help and completion show them as typed. */
final class Choices {
    private Choices() {}

    /** Where a run executes. */
    enum Adapter { local, remote }

    /** mock: no network, deterministic; real: the processor's real behaviour. */
    enum Mode { mock, real }

    /** Image platforms Hangar pins digests for. */
    enum Platform { amd64, arm64 }
}
