package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code hangar build} then {@code run --build}: the newest local build runs, by image id, instead of the pin. */
class LocalBuildIT {
    static final String HELLO = "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}";

    @Test
    void theNewestLocalBuildRunsInsteadOfThePinnedDigest() throws Exception {
        var push = Stack.hangar("push", "--override", "examples/processors/echo", "--json");
        assertEquals(0, push.exit(), push.err());
        String pinned = push.json().path("digests").path("amd64").asText();
        var build = Stack.hangar("build", "examples/processors/echo", "--json");
        assertEquals(0, build.exit(), build.err());
        String imageId = build.json().path("image_id").asText();
        assertTrue(imageId.matches("sha256:[0-9a-f]{64}"), build.out());

        var run = Stack.hangar("run", "--ref", "examples/echo@1", "--build", "--inputs-json", HELLO, "--json");
        assertEquals(0, run.exit(), run.err());
        assertEquals(imageId, run.json().path("meta").path("image_digest").asText(), "ran the local build");
        assertNotEquals(pinned, imageId);

        var pinnedRun = Stack.hangar("run", "--ref", "examples/echo@1", "--inputs-json", HELLO, "--json");
        assertEquals(pinned, pinnedRun.json().path("meta").path("image_digest").asText(), "without --build: the pin");
    }

    @Test
    void withoutALocalBuildItSaysHowToMakeOne() throws Exception {
        assertEquals(0, Stack.hangar("push", "--override", "examples/processors/textstats").exit());
        var run = Stack.hangar("run", "--ref", "examples/textstats@1", "--build", "--inputs-json", "{\"document\":\"/x\"}", "--json");
        assertEquals(1, run.exit());
        assertEquals("ERR_IMAGE_UNPINNED", run.json().path("error").path("code").asText(), run.out());
        assertTrue(run.err().contains("hangar build"), run.err());
    }
}
