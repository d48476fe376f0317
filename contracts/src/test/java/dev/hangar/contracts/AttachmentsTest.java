package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AttachmentsTest {
    static final String HEX = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
    static final String PATH = "/artifacts/inputs/sha256:" + HEX + "/report.txt";

    @Test
    void referencesAnywhereBecomeContainerPaths() throws Exception {
        var inputs = Json.MAPPER.readTree("{\"doc\":{\"$attach\":\"d\"},\"more\":[{\"x\":{\"$attach\":\"d\"}}],\"n\":1}");
        var resolved = Attachments.resolve(inputs, Map.of("d", PATH));
        assertEquals("/hangar/io/inputs/" + HEX + "/report.txt", resolved.inputs().get("doc").asText());
        assertEquals("/hangar/io/inputs/" + HEX + "/report.txt", resolved.inputs().get("more").get(0).get("x").asText());
        assertEquals(Map.of("/hangar/io/inputs/" + HEX + "/report.txt", PATH), resolved.files());
        assertEquals("sha256:" + HEX, Attachments.cid(PATH));
    }

    @Test
    void unknownNamesAndForeignPathsAreRefused() throws Exception {
        var inputs = Json.MAPPER.readTree("{\"doc\":{\"$attach\":\"missing\"}}");
        assertEquals(ErrorCode.ERR_ATTACHMENT_INVALID,
                assertThrows(HangarException.class, () -> Attachments.resolve(inputs, Map.of())).code());
        for (String bad : new String[] {"/artifacts/outputs/x/y", "/artifacts/inputs/sha256:" + HEX + "/../x",
                "/artifacts/inputs/sha256:" + HEX + "/a/b", "/etc/passwd", "/artifacts/inputs/sha256:abc/x"}) {
            assertEquals(ErrorCode.ERR_ATTACHMENT_INVALID,
                    assertThrows(HangarException.class, () -> Attachments.resolve(Json.MAPPER.createObjectNode(), Map.of("d", bad))).code(), bad);
        }
    }

    @Test
    void aWarmRunsFilesLiveUnderItsOwnRoot() throws Exception {
        var inputs = Json.MAPPER.readTree("{\"doc\":{\"$attach\":\"d\"}}");
        String root = "/hangar/io/runs/0123456789abcdef/inputs/";
        var resolved = Attachments.resolve(inputs, Map.of("d", PATH), root);
        assertEquals(root + HEX + "/report.txt", resolved.inputs().get("doc").asText());
        assertEquals(Map.of(root + HEX + "/report.txt", PATH), resolved.files());
        for (String bad : new String[] {"relative/", "/hangar/io/runs/x", "/hangar/io/../etc/", null}) {
            assertThrows(IllegalArgumentException.class, () -> Attachments.resolve(inputs, Map.of("d", PATH), bad), bad);
        }
    }
}
