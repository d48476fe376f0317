package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed input through the CLI: each is refused with its stable code and exit status 1, and
 * leaves no run record, no container and no object behind.
 */
class BadInputIT {

    @BeforeAll
    static void push() throws Exception {
        assertEquals(0, Stack.hangar("push", "examples/processors/echo").exit());
    }

    static long runRows() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/hangar_gateway", "hangar", "hangar");
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM runs")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long objects() {
        try (var s3 = Stack.s3()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(Stack.BUCKET).prefix("outputs/")).contents().stream().count();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad ref form          | ERR_REF_INVALID                  | --ref examples/echo",
        "non-integer version   | ERR_REF_INVALID                  | --ref examples/echo@v1",
        "unknown ref           | ERR_PROCESSOR_NOT_FOUND          | --ref examples/nothing@1",
        "malformed inputs json | ERR_BAD_REQUEST                  | --ref examples/echo@1 --inputs-json {\"schema\":",
        "schema violation      | ERR_INPUT_INVALID                | --ref examples/echo@1 --inputs-json {\"schema\":\"v1\",\"params\":{\"messages\":[]}}",
        "prefix without id     | ERR_WRITE_PREFIX_NO_EXECUTION_ID | --ref examples/echo@1 --write-prefix /artifacts/fixed/",
        "prefix traversal      | ERR_WRITE_PREFIX_TRAVERSAL       | --ref examples/echo@1 --write-prefix /artifacts/../{execution_id}/",
        "prefix ends outputs   | ERR_WRITE_PREFIX_OUTPUTS_SUFFIX  | --ref examples/echo@1 --write-prefix /artifacts/{execution_id}/outputs",
        "remote not configured | ERR_ADAPTER_UNAVAILABLE          | --ref examples/echo@1 --adapter remote --inputs-json {\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
    })
    void isRefusedWithItsCodeAndLeavesNothing(String name, String code, String args) throws Exception {
        long rows = runRows();
        long stored = objects();
        var argv = new java.util.ArrayList<>(List.of("run", "--json"));
        argv.addAll(List.of(args.split(" ")));
        var result = Stack.hangar(argv.toArray(String[]::new));
        assertEquals(1, result.exit(), result.err());
        assertTrue(result.err().contains(code), name + ": " + result.err());
        assertEquals("error", result.json().path("status").asText(), "one JSON document on stdout: " + result.out());
        assertEquals(code, result.json().path("error").path("code").asText());
        assertEquals(rows, runRows(), "no run record");
        assertEquals(stored, objects(), "no stray object");
        assertEquals(List.of(), Stack.managedContainers(), "no container");
    }
}
