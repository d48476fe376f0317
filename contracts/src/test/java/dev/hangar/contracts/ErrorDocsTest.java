package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/errors.md documents every code, with its HTTP status. */
class ErrorDocsTest {
    @Test
    void everyCodeIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "errors.md"));
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(doc.contains("| `" + code.name() + "` | " + code.httpStatus() + " |"),
                    code + " is missing from docs/errors.md (or its HTTP status differs)");
        }
    }
}
