package dev.hangar.executor.store;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Drops the {@code Expect: 100-continue} the S3 SDK puts on every PutObject when the body is
 * small. With it, the URL-connection client sends the headers, waits for the server's
 * {@code 100 Continue}, and only then the body: one more round trip per PUT, which for a warm
 * run's {@code outputs.json} (a few hundred bytes) was most of the upload's wait (perf/PROFILE-executor.md).
 * Bodies of {@link #THRESHOLD} bytes or more keep it, so a refused large upload is not sent in vain.
 * Registered with {@code quarkus.s3.interceptors}.
 */
public class NoExpectContinue implements ExecutionInterceptor {
    /** Below this, sending the body at once costs less than the round trip that might spare it. */
    static final long THRESHOLD = 1 << 20;

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        var request = context.httpRequest();
        if (request.firstMatchingHeader("Expect").isEmpty()) {
            return request;
        }
        long length = request.firstMatchingHeader("Content-Length").map(NoExpectContinue::parse).orElse(Long.MAX_VALUE);
        return length < THRESHOLD ? request.toBuilder().removeHeader("Expect").build() : request;
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
