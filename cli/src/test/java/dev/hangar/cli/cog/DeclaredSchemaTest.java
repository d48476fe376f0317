package dev.hangar.cli.cog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Where a hangar.yaml inputs_schema and the predictor's own part (the check itself runs in an image: CogProjectDockerTest). */
class DeclaredSchemaTest {
    static JsonNode json(String s) throws IOException {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void equalSchemasAgreeWithNumbersComparedByValue() throws Exception {
        assertNull(DeclaredSchema.firstDifference("", json("{\"maximum\":600,\"enum\":[1,2.5]}"), json("{\"enum\":[1.0,2.50],\"maximum\":600.0}")));
    }

    @Test
    void theFirstDifferenceIsNamedByItsPointerWithBothValues() throws Exception {
        assertEquals("/properties/n/maximum (hangar.yaml: 60, the predictor: 600)", DeclaredSchema.firstDifference("",
                json("{\"properties\":{\"n\":{\"maximum\":60}}}"), json("{\"properties\":{\"n\":{\"maximum\":600}}}")));
        assertEquals("/required (hangar.yaml: [\"a\"], the predictor: [\"a\",\"b\"])",
                DeclaredSchema.firstDifference("", json("{\"required\":[\"a\"]}"), json("{\"required\":[\"a\",\"b\"]}")));
        assertEquals("/enum/1 (hangar.yaml: \"y\", the predictor: \"z\")",
                DeclaredSchema.firstDifference("", json("{\"enum\":[\"x\",\"y\"]}"), json("{\"enum\":[\"x\",\"z\"]}")));
        assertEquals("/additionalProperties (only in hangar.yaml)",
                DeclaredSchema.firstDifference("", json("{\"additionalProperties\":false}"), json("{}")));
        assertEquals("/a~1b (only in the predictor)", DeclaredSchema.firstDifference("", json("{}"), json("{\"a/b\":1}")));
        assertEquals("/ (hangar.yaml: \"1\", the predictor: 1)", DeclaredSchema.firstDifference("", json("\"1\""), json("1")));
    }
}
