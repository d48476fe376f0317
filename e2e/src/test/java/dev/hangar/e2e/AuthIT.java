package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The running stack requires a token: without one nothing is shown; bin/hangar uses the stack's own. */
class AuthIT {

    @Test
    void withoutATokenTheGatewayRefuses() throws Exception {
        var answer = Stack.HTTP.send(HttpRequest.newBuilder(java.net.URI.create(Stack.GATEWAY + "/v1/runs")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, answer.statusCode());
        assertTrue(answer.body().contains("ERR_UNAUTHORIZED"), answer.body());
    }

    @Test
    void theCliWithAWrongTokenSaysSo() throws Exception {
        var process = new ProcessBuilder(Stack.ROOT.resolve("bin/hangar").toString(), "runs", "list", "--token", "wrong")
                .directory(Stack.ROOT.toFile()).start();
        String err = new String(process.getErrorStream().readAllBytes());
        assertEquals(1, process.waitFor());
        assertTrue(err.contains("ERR_UNAUTHORIZED"), err);
    }
}
