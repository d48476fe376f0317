package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Training-session rules: ids, LoRA defaults and limits, which codes a processor may raise. */
class TrainingRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "ts_short", "TS_0123456789abcdefghij", "ts_0123456789abcdefghij'--", "../ts_0123456789abcdefghij"})
    void aMalformedSessionIdIsNotFound(String id) {
        var e = assertThrows(HangarException.class, () -> Training.requireSessionId(id));
        assertEquals(ErrorCode.ERR_SESSION_NOT_FOUND, e.code());
    }

    @Test
    void loraDefaultsAreTinkersAndBadValuesSayWhatToFix() {
        var lora = Json.read("{}", Training.LoraConfig.class).requireValid();
        assertEquals(new Training.LoraConfig(32, 0L, true, true, true), lora);
        var rank = assertThrows(HangarException.class, () -> new Training.LoraConfig(0, null, null, null, null).requireValid());
        assertEquals(ErrorCode.ERR_OPTION_INVALID, rank.code());
        assertTrue(rank.getMessage().contains("rank must be between 1 and 128"), rank.getMessage());
        var nothing = assertThrows(HangarException.class, () -> new Training.LoraConfig(8, null, false, false, false).requireValid());
        assertTrue(nothing.getMessage().contains("trains nothing"), nothing.getMessage());
    }

    @Test
    void aProcessorRaisesOnlyTheCodesProcessorsMayRaise() {
        var lost = ErrorCode.raisedBy("SessionLost: ERR_SESSION_LOST: session ts_x is not in this container").orElseThrow();
        assertEquals(ErrorCode.ERR_SESSION_LOST, lost.code());
        assertEquals("session ts_x is not in this container", lost.getMessage());
        assertEquals(ErrorCode.ERR_SESSION_LOST, ErrorCode.raisedBy("ERR_SESSION_LOST: gone").orElseThrow().code());
        assertEquals(Optional.empty(), ErrorCode.raisedBy("ValueError: ERR_REGISTRY_MISMATCH: trust me"));
        assertEquals(Optional.empty(), ErrorCode.raisedBy("ValueError: bad datum (ERR_SESSION_LOST: not at the start)"));
        assertEquals(Optional.empty(), ErrorCode.raisedBy(null));
    }

    @Test
    void aCommandsSessionMustBeASessionId() throws Exception {
        var ok = Json.MAPPER.treeToValue(GoldenJsonTest.read("run-requested-session.json"), RunRequested.class).requireWellFormed();
        assertEquals("ts_0123456789abcdefghij", ok.session());
        assertTrue(!ok.endsSession());
        assertEquals(ok.session(), ok.withAttempt(2).session(), "a retried attempt keeps its session");
        var bad = new RunRequested(1, ok.executionId(), 1, null, null, ok.ref(), null, null, null, null, null, null, null, null,
                null, null, null, "alice", "a key with spaces", true);
        var e = assertThrows(HangarException.class, bad::requireWellFormed);
        assertEquals(ErrorCode.ERR_COMMAND_INVALID, e.code());
    }
}
