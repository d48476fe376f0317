package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WritePrefixTest {

    @Test
    void defaultResolvesToSlugAndExecutionId() {
        var ref = ProcessorRef.parse("examples/echo@1");
        assertEquals("/artifacts/outputs/examples-echo-v1/abc12345/", WritePrefix.resolve(null, ref, "abc12345"));
        assertEquals("/artifacts/mine/abc12345/", WritePrefix.resolve("/artifacts/mine/{execution_id}", ref, "abc12345"));
    }

    @ParameterizedTest
    @CsvSource({
        "/artifacts/outputs/x/,                              ERR_WRITE_PREFIX_NO_EXECUTION_ID",
        "/artifacts/../etc/{execution_id}/,                  ERR_WRITE_PREFIX_TRAVERSAL",
        "/artifacts/a/./{execution_id}/,                     ERR_WRITE_PREFIX_TRAVERSAL",
        "/artifacts//{execution_id}/,                        ERR_WRITE_PREFIX_TRAVERSAL",
        "/artifacts/a%2F..%2F/{execution_id}/,               ERR_WRITE_PREFIX_ENCODED",
        "/artifacts/a\\b/{execution_id}/,                    ERR_WRITE_PREFIX_ENCODED",
        "/artifacts/{execution_id}/outputs,                  ERR_WRITE_PREFIX_OUTPUTS_SUFFIX",
        "/artifacts/{execution_id}/outputs/,                 ERR_WRITE_PREFIX_OUTPUTS_SUFFIX",
        "/tmp/{execution_id}/,                               ERR_WRITE_PREFIX_ROOT",
        "artifacts/{execution_id}/,                          ERR_WRITE_PREFIX_ROOT",
    })
    void refusesWithItsOwnCode(String prefix, ErrorCode code) {
        var e = assertThrows(HangarException.class, () -> WritePrefix.validate(prefix));
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void refusesOverLongSegments() {
        var e = assertThrows(HangarException.class,
                () -> WritePrefix.validate("/artifacts/" + "a".repeat(256) + "/{execution_id}/"));
        assertEquals(ErrorCode.ERR_WRITE_PREFIX_SEGMENT_TOO_LONG, e.code());
    }
}
