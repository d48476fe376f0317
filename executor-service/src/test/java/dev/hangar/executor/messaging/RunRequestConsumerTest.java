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
        "no version        | {\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\"}                            | schema_version must be 1, got null",
        "no attempt        | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"ref\":\"a/b@1\"}                      | attempt must be 1 or more",
        "unknown mode      | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\",\"mode\":\"fast\"}  | mode 'fast' is not one of mock, real",
        "unknown adapter   | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\",\"adapter\":\"k8s\"} | adapter 'k8s' is not one of local, remote",
        "unknown platform  | {\"schema_version\":1,\"execution_id\":\"abcdefgh1\",\"attempt\":1,\"ref\":\"a/b@1\",\"platform\":\"riscv\"} | platform 'riscv' is not one of amd64, arm64",
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
        assertEquals(null, command.mode(), "the run's defaults are applied when it runs, not when it is read");
    }

    @Test
    void typedValuesArriveTyped() {
        var command = RunRequestConsumer.parse("{\"schema_version\":1,\"execution_id\":\"kafka-0002\",\"attempt\":1,"
                + "\"ref\":\"examples/echo@1\",\"adapter\":\"local\",\"mode\":\"real\",\"platform\":\"arm64\"}");
        assertEquals(dev.hangar.contracts.Adapter.LOCAL, command.adapter());
        assertEquals(dev.hangar.contracts.Mode.REAL, command.mode());
        assertEquals(dev.hangar.contracts.Platform.ARM64, command.platform());
    }
}
