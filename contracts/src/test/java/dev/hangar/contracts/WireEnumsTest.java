package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireEnumsTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "adapter, cloud, 'adapter ''cloud'' is not one of local, remote'",
        "mode, fast, 'mode ''fast'' is not one of mock, real'",
        "platform, s390x, 'platform ''s390x'' is not one of amd64, arm64'"})
    void anUnknownValueInABodyNamesTheFieldAndEveryAllowedValue(String field, String value, String message) {
        var e = assertThrows(HangarException.class, () -> Json.read(
                "{\"ref\":\"examples/echo@1\",\"" + field + "\":\"" + value + "\"}", RunRequest.class));
        assertEquals(ErrorCode.ERR_OPTION_INVALID, e.code());
        assertEquals("not a valid RunRequest: " + message, e.getMessage());
    }

    @Test
    void wireValuesAreLowerCaseNamesBothWays() {
        for (Adapter a : Adapter.values()) {
            assertEquals(a, Adapter.fromWire(a.name().toLowerCase(Locale.ROOT)));
            assertEquals("\"" + a.wire() + "\"", Json.write(a));
        }
        for (Mode m : Mode.values()) {
            assertEquals(m, Json.read("\"" + m.wire() + "\"", Mode.class));
        }
        for (Platform p : Platform.values()) {
            assertEquals(p, Json.read("\"" + p.wire() + "\"", Platform.class));
        }
        assertEquals(RunControl.Action.CANCEL, Json.read("\"cancel\"", RunControl.Action.class));
    }

    @Test
    void anOlderLenientReaderStillReadsARecordWithANewerValue() throws Exception {
        var lenient = Json.configure(new com.fasterxml.jackson.databind.ObjectMapper())
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
        var summary = lenient.readValue("{\"execution_id\":\"r-1\",\"status\":\"paused\",\"adapter\":\"slurm\",\"mode\":\"mock\"}",
                RunSummary.class);
        assertEquals(null, summary.status());
        assertEquals(null, summary.adapter());
        assertEquals(Mode.MOCK, summary.mode());
        var e = assertThrows(HangarException.class, () -> Json.read("{\"execution_id\":\"r-1\",\"status\":\"paused\"}",
                RunSummary.class));
        assertEquals("not a valid RunSummary: status 'paused' is not one of canceled, error, queued, running, success", e.getMessage());
    }

    @Test
    void upperCaseIsNotAWireValue() {
        assertEquals(ErrorCode.ERR_OPTION_INVALID, assertThrows(HangarException.class, () -> Mode.fromWire("MOCK")).code());
        assertEquals(ErrorCode.ERR_OPTION_INVALID, assertThrows(HangarException.class, () -> Adapter.fromWire(null)).code());
    }

    @Test
    void eventTypesEndRunsExactlyWhereRunStatusDoes() {
        var terminalTypes = Arrays.stream(RunEvent.Type.values()).filter(RunEvent.Type::terminal).count();
        var terminalStates = Arrays.stream(RunStatus.values()).filter(RunStatus::terminal).count();
        assertEquals(terminalStates, terminalTypes);
    }
}
