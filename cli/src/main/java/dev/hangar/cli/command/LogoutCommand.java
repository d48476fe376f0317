package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.config.CredentialsFile;
import dev.hangar.cli.output.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hangar logout}: removes the stored token from the config file (the token itself stays valid: revoke it with {@code hangar tokens revoke}). */
@Command(name = "logout", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Remove the token `hangar login` stored from the config file (the URL stays).",
                "The token stays valid on the gateway; `hangar tokens revoke ID` ends it everywhere."})
public final class LogoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    CredentialsFile file = CredentialsFile.fromEnvironment();

    @Override
    public Integer call() {
        boolean had = file.logout();
        Output out = Output.of(spec);
        out.err().println(had ? "logged out (token removed from " + file.path() + ")" : "not logged in: " + file.path() + " holds no token");
        out.err().flush();
        return 0;
    }
}
