package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.ErrorCode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever is wrong with a submission — its JSON, its ref, its write prefix, its options,
 * its inputs — the answer is a 4xx problem+json with a stable code, and no run is left behind.
 * Cases are generated from a fixed seed (printed on failure), so a failure reproduces.
 */
@QuarkusTest
class MalformedRequestPropertyTest {
    static final long SEED = 20261122L;
    static final int CASES = 300;
    static final String REF = "gwtest/property-" + Long.toString(System.nanoTime(), 36) + "@1";

    static final String[] BAD_REFS = {"", "x", "a/b", "a/b@", "a/b@0", "a/b@-1", "A/b@1", "a/b@1.5", "a/b/c@1", "../x@1",
        "a/b@99999999999", "a b/c@1", "a/b@1@2", "é/b@1"};
    static final String[] BAD_PREFIXES = {"/artifacts/x/", "/artifacts/../{execution_id}/", "/artifacts/{execution_id}/outputs",
        "/artifacts/a%2F/{execution_id}/", "/tmp/{execution_id}/", "artifacts/{execution_id}", "/artifacts//{execution_id}/",
        "/artifacts/" + "s".repeat(300) + "/{execution_id}/", "/artifacts/a\\\\b/{execution_id}/"};
    static final String[] BAD_INPUTS = {"[]", "1", "\"text\"", "{}", "{\"text\":1}", "{\"text\":\"\"}", "{\"text\":\"x\",\"n\":0}",
        "{\"text\":\"x\",\"zzz\":true}", "{\"text\":{\"$attach\":\"nope\"}}"};
    static final String[] BAD_OPTIONS = {"\"adapter\":\"cloud\"", "\"mode\":\"fast\"", "\"platform\":\"s390x\"",
        "\"adapter_opts\":{\"x\":1}", "\"adapter_opts\":[]", "\"timeout_seconds\":-5", "\"idempotency_key\":\"\"",
        "\"plan\":\"Upper\"", "\"adapter\":\"remote\"", "\"platform\":\"arm64\"", "\"adapter_opts\":{\"cpu\":1000}"};
    static final String[] BROKEN_JSON = {"", "{", "{\"ref\":", "{\"ref\":\"a/b@1\",}", "null", "[1,2]", "{\"ref\":\"a/b@1\" \"x\":1}",
        "{\"unknown_field\":1}", "\u0000", "{\"ref\":[\"a\"]}"};

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @Test
    void everyMalformedSubmissionIsRefusedCleanly() throws Exception {
        var random = new Random(SEED);
        Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
        for (int i = 0; i < CASES; i++) {
            String body = generate(random);
            var answer = given().contentType("application/json").body(body).when().post("/v1/runs").then().extract();
            String where = "case " + i + " (seed " + SEED + "): " + body;
            assertTrue(answer.statusCode() >= 400 && answer.statusCode() < 500, where + " -> " + answer.statusCode() + " " + answer.asString());
            assertEquals("application/problem+json", answer.contentType().split(";")[0], where);
            String code = answer.path("code");
            seen.add(ErrorCode.valueOf(code));
            assertEquals((Integer) ErrorCode.valueOf(code).httpStatus(), (Integer) answer.statusCode(), where);
            assertTrue(!answer.asString().contains("Exception") && !answer.asString().contains("\tat "), "no internals: " + answer.asString());
        }
        assertEquals(0, runsOf(REF), "no refused submission left a run");
        assertTrue(seen.size() >= 8, "the generator reaches many distinct refusals: " + seen);
    }

    /** One broken submission: a valid one with one or two parts spoiled, or JSON that is not a request at all. */
    static String generate(Random random) {
        if (random.nextInt(6) == 0) {
            return pick(random, BROKEN_JSON);
        }
        List<String> fields = new ArrayList<>(List.of("\"ref\":\"" + REF + "\"", "\"inputs\":{\"text\":\"ok\"}"));
        int spoil = 1 + random.nextInt(2);
        for (int k = 0; k < spoil; k++) {
            switch (random.nextInt(4)) {
                case 0 -> fields.set(0, "\"ref\":\"" + pick(random, BAD_REFS).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
                case 1 -> fields.add("\"write_prefix\":\"" + pick(random, BAD_PREFIXES) + "\"");
                case 2 -> fields.set(1, "\"inputs\":" + pick(random, BAD_INPUTS));
                default -> fields.add(pick(random, BAD_OPTIONS));
            }
        }
        java.util.Collections.shuffle(fields, random);
        return "{" + String.join(",", fields) + "}";
    }

    static String pick(Random random, String[] from) {
        return from[random.nextInt(from.length)];
    }

    long runsOf(String ref) throws Exception {
        try (var c = db.getConnection(); var s = c.prepareStatement("SELECT count(*) FROM runs WHERE ref = ?")) {
            s.setString(1, ref);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
