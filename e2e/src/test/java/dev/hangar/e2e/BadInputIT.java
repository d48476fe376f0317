package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.kit.testing.StackCredentials;
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
        assertEquals(0, Stack.hangar("push", "--override", "examples/processors/echo").exit());
    }

    static long runRows() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/hangar_gateway", "hangar", StackCredentials.dbPassword());
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

    /**
     * Property: generated malformed invocations (a fixed seed, printed on failure) all exit 1 with
     * one error envelope carrying a known code, and leave no run, container or object behind.
     */
    @org.junit.jupiter.api.Test
    void generatedMalformedInvocationsAreRefusedCleanly() throws Exception {
        long seed = 20261122L;
        var random = new java.util.Random(seed);
        String[][] spoilers = {
            {"--ref", "examples/echo"}, {"--ref", "Examples/echo@1"}, {"--ref", "examples/echo@0"},
            {"--write-prefix", "/artifacts/x/"}, {"--write-prefix", "/artifacts/../{execution_id}/"},
            {"--write-prefix", "/artifacts/a%2F/{execution_id}/"}, {"--mode", "turbo"}, {"--platform", "sparc"},
            {"--adapter-opts-json", "{\"nope\":1}"}, {"--adapter-opts-json", "[1]"}, {"--timeout", "0"},
            {"--timeout", "ten"}, {"--idempotency-key", "bad key"}, {"--plan", "UPPER"},
            {"--inputs-json", "{\"schema\":"}, {"--inputs-json", "[]"}, {"--inputs-file", "/no/such/inputs.json"},
            {"--attach", "doc=/no/such/file"}, {"--attach", "nameonly"}, {"-i", "params.messages=not-json"},
        };
        long rows = runRows();
        long stored = objects();
        for (int i = 0; i < 24; i++) {
            var argv = new java.util.ArrayList<>(List.of("run", "--json", "--ref", "examples/echo@1"));
            int n = 1 + random.nextInt(2);
            var used = new java.util.ArrayList<String>();
            for (int k = 0; k < n; k++) {
                String[] spoil = spoilers[random.nextInt(spoilers.length)];
                if (!used.contains(spoil[0]) || spoil[0].equals("--attach")) {
                    used.add(spoil[0]);
                    argv.addAll(List.of(spoil));
                }
            }
            var result = Stack.hangar(argv.toArray(String[]::new));
            String where = "case " + i + " (seed " + seed + "): " + argv;
            assertEquals(1, result.exit(), where + "\n" + result.err());
            String code = result.json().path("error").path("code").asText();
            dev.hangar.contracts.ErrorCode.valueOf(code); // a known, stable code
            assertTrue(result.err().contains(code), where + "\n" + result.err());
        }
        assertEquals(rows, runRows(), "no run record");
        assertEquals(stored, objects(), "no stray object");
        assertEquals(List.of(), Stack.managedContainers(), "no container");
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
