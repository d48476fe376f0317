package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.CliRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the checkpoint and train-run commands refuse before any request (the gateway here is a closed port). */
class CheckpointCommandTest {
    final String closed = CliRunner.closedUrl();

    @Test
    void aMalformedPathIsRefusedSayingWhatIsWrongBeforeAnyRequest() {
        for (String[] args : List.of(new String[] {"checkpoint", "info", "hangar://r-1/adapters/x"},
                new String[] {"checkpoint", "publish", "tinker://r-1/weights/final"},
                new String[] {"checkpoint", "unpublish", "hangar://r-1/weights"},
                new String[] {"checkpoint", "set-ttl", "hangar://r-1/weights/..", "--ttl", "60"},
                new String[] {"checkpoint", "delete", "hangar://r-1/weights/final", "hangar://bad", "--yes"},
                new String[] {"checkpoint", "download", "hangar://r 1/weights/final"},
                new String[] {"checkpoint", "save", "--model-path", "hangar://r-1/nope/x"})) {
            var r = CliRunner.run(PlansAndCancelTest.concat(args, "--url", closed));
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.err().startsWith("error: ERR_CHECKPOINT_PATH_INVALID: "), r::toString);
            assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
        }
    }

    @Test
    void optionsAreCheckedBeforeAnyRequest() {
        var ttl = CliRunner.run("checkpoint", "set-ttl", "hangar://r-1/weights/final", "--url", closed);
        assertTrue(ttl.err().contains("--ttl") && ttl.err().contains("--remove"), ttl::toString);
        var both = CliRunner.run("checkpoint", "set-ttl", "hangar://r-1/weights/final", "--ttl", "5", "--remove", "--url", closed);
        assertTrue(both.err().contains("mutually exclusive"), both::toString);
        var zero = CliRunner.run("checkpoint", "set-ttl", "hangar://r-1/weights/final", "--ttl", "0", "--url", closed);
        assertTrue(zero.err().contains("--ttl must be 1 or more"), zero::toString);
        var limit = CliRunner.run("checkpoint", "list", "--limit", "-1", "--url", closed);
        assertTrue(limit.err().contains("--limit must be 0 (all) or more"), limit::toString);
        var source = CliRunner.run("checkpoint", "save", "--url", closed);
        assertTrue(source.err().contains("--base-model") && source.err().contains("--model-path"), source::toString);
        var steps = CliRunner.run("train-run", "create", "--dataset", "x.jsonl", "--steps", "0", "--url", closed);
        assertTrue(steps.err().contains("--steps must be between 1 and 10000"), steps::toString);
        var missing = CliRunner.run("train-run", "create", "--dataset", "/no/such.jsonl", "--steps", "3", "--url", closed);
        assertTrue(missing.err().startsWith("error: ERR_ATTACHMENT_INVALID"), missing::toString);
    }

    @Test
    void deleteWithoutATerminalNeedsYes() {
        var r = CliRunner.run(cli -> ((CheckpointDeleteCommand) cli.getSubcommands().get("checkpoint").getSubcommands().get("delete")
                .getCommand()).console = null, "checkpoint", "delete", "hangar://r-1/weights/final", "--url", closed);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("pass --yes"), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), "nothing was sent: " + r);
        var yes = CliRunner.run("checkpoint", "delete", "hangar://r-1/weights/final", "--yes", "--url", closed);
        assertTrue(yes.err().startsWith("error: ERR_UNAVAILABLE"), "with --yes it asks the gateway: " + yes);
    }

    @Test
    void downloadRefusesAnExistingFolderBeforeAnyRequest() throws Exception {
        var existing = java.nio.file.Files.createTempDirectory("ckpt-existing");
        var r = CliRunner.run("checkpoint", "download", "hangar://r-1/weights/final", "--output", existing.toString(), "--url", closed);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("already exists; pass --force"), r::toString);
    }
}
