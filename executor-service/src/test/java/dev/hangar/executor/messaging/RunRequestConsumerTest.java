package dev.hangar.executor.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What makes a bus record poison (dead-lettered, with this reason) rather than a run. */
class RunRequestConsumerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json          | this is { not json                                                                          | not a valid RunRequested",
        "empty             | ' '                                                                                         | empty record",
        "no ref            | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1}                           | ref is required",
        "bad ref           | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"echo\"}          | invalid processor ref",
        "unknown field     | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\",\"x\":1} | \"x\"",
        "wrong version     | {\"schema_version\":2,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\"}         | schema_version must be 1",
        "short id          | {\"schema_version\":1,\"execution_id\":\"ab\",\"attempt\":1,\"ref\":\"a/b@1\"}                | execution_id must be",
        "inputs not object | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\",\"inputs\":[1]} | inputs must be a JSON object",
    })
    void poisonRecordsAreRefusedWithAReason(String name, String payload, String reason) {
        var e = assertThrows(HangarException.class, () -> RunRequestConsumer.parse(payload));
        assertEquals(ErrorCode.ERR_COMMAND_INVALID, e.code());
        assertTrue(e.getMessage().contains(reason), name + ": " + e.getMessage());
    }

    @Test
    void aMinimalCommandFromAnyProducerIsAccepted() {
        var command = RunRequestConsumer.parse("{\"schema_version\":1,\"execution_id\":\"kafka-0001\",\"attempt\":1,\"ref\":\"examples/echo@1\"}");
        assertEquals("examples/echo@1", command.ref().toString());
    }
}
