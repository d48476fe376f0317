package dev.hangar.kit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScrapeTest {
    static final String TEXT = """
            # HELP hangar_runs_total Runs that ended
            # TYPE hangar_runs_total counter
            hangar_runs_total{processor="examples/echo@1",status="success"} 3.0
            hangar_runs_total{processor="examples/echo@1",status="error"} 1.0
            hangar_stream_subscribers{socket="run"} 0.0
            hangar_upload_bytes_total 2048.0
            """;

    @Test
    void readsASampleByNameAndLabelPrefix() {
        assertEquals(3.0, Scrape.value(TEXT, "hangar_runs_total{processor=\"examples/echo@1\",status=\"success\"}"));
        assertEquals(1.0, Scrape.value(TEXT, "hangar_runs_total{processor=\"examples/echo@1\",status=\"error\""));
        assertEquals(2048.0, Scrape.value(TEXT, "hangar_upload_bytes_total"));
        assertEquals(0.0, Scrape.value(TEXT, "hangar_upload_bytes"), "a name is matched whole");
        assertEquals(0.0, Scrape.value(TEXT, "hangar_missing_total"));
    }
}
