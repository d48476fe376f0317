package dev.hangar.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.client.CliJson;
import dev.hangar.contracts.RunEvent;
import java.io.PrintWriter;

/** Every event exactly as the gateway sent it, one JSON document per line. */
public final class JsonEventPrinter implements EventPrinter {
    private final PrintWriter err;

    public JsonEventPrinter(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onEvent(JsonNode raw, RunEvent event) {
        err.println(CliJson.compact(raw));
        err.flush();
    }
}
