package dev.hangar.executor.messaging;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.RunStatus;
import dev.hangar.executor.service.RunService;
import dev.hangar.executor.service.RunServices;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Cancel records on hangar.runs.control: a cancel reaches the run; anything unreadable is skipped. */
class RunControlConsumerTest {
    private final AtomicInteger adapterCalls = new AtomicInteger();
    private final RunService runs = RunServices.withSuccessfulAdapter(adapterCalls);
    private final RunControlConsumer consumer = new RunControlConsumer(runs);

    @Test
    void aCancelRecordCancelsTheRunEvenBeforeItsCommandArrives() {
        consumer.onControl(Json.write(RunControl.cancel("ctl-run-0001")));

        var envelope = runs.execute(dev.hangar.executor.service.Fixtures.command("ctl-run-0001"));

        assertEquals(RunStatus.CANCELED, envelope.status());
        assertEquals(0, adapterCalls.get());
    }

    @Test
    void unreadableOrUnknownRecordsAreSkipped() {
        assertDoesNotThrow(() -> consumer.onControl("not json"));
        assertDoesNotThrow(() -> consumer.onControl("{\"schema_version\":1,\"execution_id\":\"ctl-run-0002\",\"action\":\"pause\"}"));

        assertEquals(RunStatus.SUCCESS, runs.execute(dev.hangar.executor.service.Fixtures.command("ctl-run-0002")).status());
    }
}
