package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything push checks before docker runs; the build itself belongs to the end-to-end suite. */
class PushCommandTest {
    @TempDir
    Path tmp;

    static String dir(String name) {
        try {
            return Path.of(PushCommandTest.class.getResource("/processors/" + name).toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anInvalidSpecListsEveryProblemBeforeBuilding() {
        var r = CliRunner.run("push", dir("bad-limits"), "--url", CliRunner.closedUrl());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_SPEC_INVALID: "), r::toString);
        assertTrue(r.err().contains("  /image: "), r::toString);
        assertTrue(r.err().contains("  /runtime/cpu: "), r::toString);
        assertTrue(r.err().contains("  /runtime/memory_mb: "), r::toString);
        assertFalse(r.err().contains("building"), r::toString);
    }

    @Test
    void anUnknownKeyFailsWithItsLine() {
        var r = CliRunner.run("push", dir("unknown-key"), "--json");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("line 8"), r::toString);
        assertTrue(r.out().contains("\"code\" : \"ERR_SPEC_INVALID\""), r::toString);
    }

    @Test
    void aDirectoryWithoutDockerfileIsRefused() throws Exception {
        Files.copy(Path.of(dir("echo"), "hangar.yaml"), tmp.resolve("hangar.yaml"));
        var r = CliRunner.run("push", tmp.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no Dockerfile in " + tmp), r::toString);
    }

    @Test
    void aContextThatDoesNotHoldTheProcessorOrABadBuildArgIsRefusedBeforeBuilding() throws Exception {
        Path processor = Files.createDirectories(tmp.resolve("models/lm/train"));
        Files.copy(Path.of(dir("echo"), "hangar.yaml"), processor.resolve("hangar.yaml"));
        Files.writeString(processor.resolve("Dockerfile"), "FROM scratch\n");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        var outside = CliRunner.run("push", processor.toString(), "--context", elsewhere.toString());
        assertEquals(1, outside.exit());
        assertTrue(outside.err().contains("ERR_OPTION_INVALID") && outside.err().contains("must contain " + processor), outside::toString);
        var missing = CliRunner.run("push", processor.toString(), "--context", tmp.resolve("nope").toString());
        assertTrue(missing.err().contains("is not a folder"), missing::toString);
        var arg = CliRunner.run("push", processor.toString(), "--context", tmp.resolve("models/lm").toString(),
                "--build-arg", "BAD-NAME=x");
        assertEquals(1, arg.exit());
        assertTrue(arg.err().contains("--build-arg name 'BAD-NAME' must be a variable name"), arg::toString);
        assertFalse(arg.err().contains("building"), arg::toString);
    }

    @Test
    void anUnreachableGatewayStopsPushBeforeTheBuild() {
        var r = CliRunner.run("push", dir("echo"), "--url", CliRunner.closedUrl());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_UNAVAILABLE: "), r::toString);
        assertFalse(r.err().contains("building"), r::toString);
    }

    @Test
    void tagsAreUtcTimestamps() {
        String tag = PushCommand.TAG.format(java.time.ZonedDateTime.of(2026, 11, 22, 10, 15, 30, 0, java.time.ZoneOffset.UTC));
        assertEquals("20261122-101530", tag);
    }
}
