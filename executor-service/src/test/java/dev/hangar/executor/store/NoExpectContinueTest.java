package dev.hangar.executor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

class NoExpectContinueTest {

    @ParameterizedTest(name = "Expect {0}, Content-Length {1}: sent {2}")
    @CsvSource(nullValues = "none", value = {
            "100-continue, 342, false",        // outputs.json: the body goes with the headers
            "100-continue, 1048575, false",
            "100-continue, 1048576, true",     // a large output still asks first
            "100-continue, none, true",        // unknown length: as the SDK chose
            "100-continue, x, true",
            "none, 342, false"})
    void smallBodiesAreSentWithoutWaitingForContinue(String expect, String length, boolean kept) {
        var builder = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("http://127.0.0.1:9000/b/k"));
        if (expect != null) {
            builder.putHeader("Expect", expect);
        }
        if (length != null) {
            builder.putHeader("Content-Length", length);
        }
        SdkHttpRequest request = builder.build();
        var sent = new NoExpectContinue().modifyHttpRequest(context(request), new ExecutionAttributes());
        assertEquals(kept, sent.firstMatchingHeader("Expect").isPresent());
        assertEquals(Optional.ofNullable(length), sent.firstMatchingHeader("Content-Length"), "nothing else changes");
        assertTrue(sent.getUri().toString().endsWith("/b/k"));
    }

    private static Context.ModifyHttpRequest context(SdkHttpRequest request) {
        return new Context.ModifyHttpRequest() {
            @Override
            public SdkHttpRequest httpRequest() {
                return request;
            }

            @Override
            public Optional<software.amazon.awssdk.core.sync.RequestBody> requestBody() {
                return Optional.empty();
            }

            @Override
            public Optional<software.amazon.awssdk.core.async.AsyncRequestBody> asyncRequestBody() {
                return Optional.empty();
            }

            @Override
            public software.amazon.awssdk.core.SdkRequest request() {
                return null;
            }
        };
    }
}
