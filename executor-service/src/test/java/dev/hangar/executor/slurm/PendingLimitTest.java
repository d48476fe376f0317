package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.executor.service.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PendingLimitTest {
    private static final Instant NOW = Instant.parse("2026-12-02T01:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void theCapacityDeadlineInTheCommandWinsWhenSooner() {
        var command = Fixtures.command("r-0123456789", n -> n.put("created_at", NOW.minusSeconds(20).toString())
                .putObject("adapter_opts").put("capacity_wait_seconds", 60));

        var limit = PendingLimit.of(Duration.ofMinutes(30), command, CLOCK);

        assertEquals(NOW.plusSeconds(40), limit.until(), "counted from the command's created_at, as the gateway counts");
        assertEquals("its capacity deadline of 60 s from submission (adapter_opts.capacity_wait_seconds, "
                + "hangar.gateway.remote.capacity-wait)", limit.describe());
    }

    @Test
    void maxPendingWinsWhenSoonerOrWhenTheCommandNamesNoWait() {
        var longWait = Fixtures.command("r-0123456789", n -> n.put("created_at", NOW.toString())
                .putObject("adapter_opts").put("capacity_wait_seconds", 3600));
        var noWait = Fixtures.command("r-0123456789");

        assertEquals(NOW.plusSeconds(60), PendingLimit.of(Duration.ofSeconds(60), longWait, CLOCK).until());
        assertEquals(NOW.plusSeconds(60), PendingLimit.of(Duration.ofSeconds(60), noWait, CLOCK).until());
        assertEquals("60 s (hangar.executor.slurm.max-pending)", PendingLimit.of(Duration.ofSeconds(60), noWait, CLOCK).describe());
    }
}
