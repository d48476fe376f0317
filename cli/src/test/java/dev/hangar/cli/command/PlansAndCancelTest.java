package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.CliRunner;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Plan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What plans and cancel decide before a request, and how a plan reads. */
class PlansAndCancelTest {
    final String closed = CliRunner.closedUrl();

    @Test
    void aBadPlanKeyOrLimitFailsBeforeAnyRequest() {
        for (String[] args : List.of(new String[] {"plans", "set", "Team A", "--limit", "5"},
                new String[] {"plans", "set", "team-a", "--limit", "-1"},
                new String[] {"plans", "get", "TEAM"})) {
            var r = CliRunner.run(concat(args, "--url", closed));
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: "), r::toString);
            assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
        }
        var missing = CliRunner.run("plans", "set", "team-a", "--url", closed);
        assertTrue(missing.err().contains("Missing required option: '--limit=CREDITS'"), missing::toString);
    }

    @Test
    void anUnreachableGatewayIsReportedForEveryNewCommand() {
        for (String[] args : List.of(new String[] {"plans", "list"}, new String[] {"plans", "get", "team-a"},
                new String[] {"plans", "set", "team-a", "--limit", "2.5"}, new String[] {"secrets", "list"},
                new String[] {"runs", "cancel", "r-1"})) {
            var r = CliRunner.run(concat(args, "--url", closed, "--json"));
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.err().startsWith("error: ERR_UNAVAILABLE"), r::toString);
            assertTrue(r.out().contains("\"code\" : \"ERR_UNAVAILABLE\""), "--json gives an error envelope: " + r);
        }
        var rm = CliRunner.run("secrets", "rm", "API_KEY", "--url", closed);
        assertTrue(rm.err().startsWith("error: ERR_UNAVAILABLE") && rm.exit() == 1, rm::toString);
        var set = CliRunner.run(cli -> ((SecretsSetCommand) cli.getSubcommands().get("secrets").getSubcommands().get("set")
                .getCommand()).stdin = new java.io.ByteArrayInputStream("v".getBytes()), "secrets", "set", "API_KEY", "--url", closed);
        assertTrue(set.err().startsWith("error: ERR_UNAVAILABLE") && set.exit() == 1, set::toString);
    }

    @Test
    void aPlanReadsAsCreditsWithWhatRemains() throws Exception {
        StringWriter out = new StringWriter();
        var plan = Json.read("{\"key\":\"team-a\",\"limit\":10,\"spent\":2.5,\"reserved\":0.0833333333}", Plan.class);
        PlansGetCommand.print(plan, false, new Output(new PrintWriter(out), new PrintWriter(new StringWriter())));
        assertEquals("""
                plan:      team-a
                limit:     10 credits
                spent:     2.5 credits
                reserved:  0.083333 credits
                remaining: 7.416667 credits
                """, out.toString());
        assertEquals(List.of("x", "1", "2", "0", "0"),
                PlansGetCommand.row(Json.read("{\"key\":\"x\",\"limit\":1,\"spent\":2,\"reserved\":0}", Plan.class)),
                "remaining never goes below 0");
    }

    static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
