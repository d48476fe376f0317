package dev.hangar.runtime.client;

import java.io.IOException;

/**
 * The runtime answered, but not with success: 409 (another prediction runs), 404 (unknown id),
 * 400/422 (bad request), 503 (setup not finished or failed). An IOException like the others so
 * callers can handle "could not get a result" in one place, with the status when it matters.
 */
public final class RuntimeResponseException extends IOException {
    private final int status;
    private final String body;

    RuntimeResponseException(int status, String request, String body) {
        super("the runtime answered " + status + " to " + request + ": " + body);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** The response body, usually {@code {"detail": "..."}}. */
    public String body() {
        return body;
    }
}
