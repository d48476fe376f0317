package dev.hangar.kit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RemoteTest {
    @Test
    void anUnreachableServiceSaysWhyDownToTheRootCause() {
        var handshake = new SSLHandshakeException("Failed to create SSL connection");
        handshake.initCause(new CertificateException("No subject alternative DNS name matching localhost found."));
        var failed = assertThrows(HangarException.class, () -> Remote.call("the gateway", () -> {
            throw new RuntimeException(handshake.toString(), handshake);
        }));
        assertEquals(ErrorCode.ERR_UNAVAILABLE, failed.code());
        assertEquals("the gateway is unreachable: javax.net.ssl.SSLHandshakeException: Failed to create SSL connection "
                + "(CertificateException: No subject alternative DNS name matching localhost found.)", failed.getMessage());
    }

    @Test
    void aFailureWithoutCauseKeepsItsMessage() {
        var failed = assertThrows(HangarException.class, () -> Remote.call("the registry", () -> {
            throw new IllegalStateException("Connection refused");
        }));
        assertEquals("the registry is unreachable: Connection refused", failed.getMessage());
    }
}
