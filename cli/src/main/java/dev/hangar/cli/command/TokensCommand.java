package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code hangar tokens}: API tokens with scopes, made, listed and revoked by their owners. */
@Command(name = "tokens", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"API tokens: create one with a name and scopes (read, run, admin), list yours, revoke one.",
                "A token is shown once, when it is created; listings show names, scopes and dates only."},
        subcommands = {TokensCreateCommand.class, TokensListCommand.class, TokensRevokeCommand.class})
public final class TokensCommand {
}
