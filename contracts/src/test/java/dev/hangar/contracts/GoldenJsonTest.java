package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wire contract as documented in docs/contract.md: each golden file must parse into its
 * record and serialise back to the same JSON tree, so neither side can drift.
 */
class GoldenJsonTest {

    static Stream<Arguments> goldenFiles() {
        return Stream.of(
                Arguments.of("run-request.json", RunRequest.class),
                Arguments.of("run-accepted.json", RunAccepted.class),
                Arguments.of("run-requested.json", RunRequested.class),
                Arguments.of("run-event-started.json", RunEvent.class),
                Arguments.of("run-event-log.json", RunEvent.class),
                Arguments.of("run-event-completed.json", RunEvent.class),
                Arguments.of("envelope-error.json", Envelope.class),
                Arguments.of("problem-input-invalid.json", Problem.class),
                Arguments.of("processor-spec.json", ProcessorSpec.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void roundTripsExactly(String file, Class<?> type) throws IOException {
        JsonNode golden = read(file);
        Object parsed = Json.MAPPER.treeToValue(golden, type);
        JsonNode written = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(parsed));
        assertEquals(golden, written, file + " does not round-trip through " + type.getSimpleName());
    }

    @org.junit.jupiter.api.Test
    void terminalEventCarriesTheEnvelope() throws IOException {
        RunEvent event = Json.MAPPER.treeToValue(read("run-event-completed.json"), RunEvent.class);
        var completed = assertInstanceOf(RunEvent.Completed.class, event.event());
        assertEquals(Envelope.SUCCESS, completed.envelope().status());
        assertEquals(RunStatus.SUCCESS, completed.envelope().runStatus());
        assertEquals(62, completed.envelope().outputs().get(0).sizeBytes());
    }

    @org.junit.jupiter.api.Test
    void unknownFieldsAreRefusedWithTheirName() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(HangarException.class,
                () -> Json.read("{\"ref\":\"examples/echo@1\",\"inputz\":{}}", RunRequest.class));
        assertEquals(ErrorCode.ERR_BAD_REQUEST, e.code());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("inputz"), e.getMessage());
    }

    static JsonNode read(String file) throws IOException {
        try (InputStream in = GoldenJsonTest.class.getResourceAsStream("/golden/" + file)) {
            return Json.MAPPER.readTree(in);
        }
    }
}
