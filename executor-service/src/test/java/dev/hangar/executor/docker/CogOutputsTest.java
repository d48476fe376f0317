package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CogOutputsTest {
    @TempDir
    Path folder;

    @Test
    void dataUrlsAnywhereBecomeNumberedFilesAndTheirNamesReplaceThem() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
        var output = Json.read("{\"images\":[\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\",\"data:,hello%20world\"],\"n\":3}", com.fasterxml.jackson.databind.JsonNode.class);

        var placed = CogOutputs.write(output, folder);

        assertEquals("{\"images\":[\"output-0.png\",\"output-1.txt\"],\"n\":3}", placed.toString());
        assertArrayEquals(png, Files.readAllBytes(folder.resolve("output-0.png")));
        assertEquals("hello world", Files.readString(folder.resolve("output-1.txt")));
        assertFalse(Files.exists(folder.resolve("output.json")), "files only, as the Hangar runtime does for paths");
    }

    @Test
    void anyOtherValueIsCanonicalOutputJson() throws Exception {
        CogOutputs.write(Json.read("{\"b\":1,\"a\":[\"x\",{\"d\":null,\"c\":\"ü\"}]}", com.fasterxml.jackson.databind.JsonNode.class),
                folder);
        assertEquals("{\"a\":[\"x\",{\"c\":\"ü\",\"d\":null}],\"b\":1}\n",
                Files.readString(folder.resolve("output.json"), StandardCharsets.UTF_8));
    }

    @Test
    void noOutputWritesNothing() throws Exception {
        CogOutputs.write(com.fasterxml.jackson.databind.node.NullNode.getInstance(), folder);
        try (var files = Files.list(folder)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aDataUrlThatDoesNotDecodeIsAnOutputError() {
        var e = assertThrows(HangarException.class, () -> CogOutputs.write(
                com.fasterxml.jackson.databind.node.TextNode.valueOf("data:image/png;base64,@@@"), folder));
        assertEquals(ErrorCode.ERR_OUTPUT_INVALID, e.code());
        var comma = assertThrows(HangarException.class, () -> CogOutputs.write(
                com.fasterxml.jackson.databind.node.TextNode.valueOf("data:image/png"), folder));
        assertEquals(ErrorCode.ERR_OUTPUT_INVALID, comma.code());
    }
}
