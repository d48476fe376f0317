package dev.hangar.registry.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import org.junit.jupiter.api.Test;

class OciRegistryClientTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void loopbackRegistriesAreAskedOverPlainHttp() {
        assertEquals("http://127.0.0.1:5000/v2/examples/echo/manifests/" + DIGEST,
                OciRegistryClient.manifestUri("127.0.0.1:5000/examples/echo", DIGEST).toString());
        assertEquals("http://localhost:5000/v2/a/b/c/manifests/" + DIGEST,
                OciRegistryClient.manifestUri("localhost:5000/a/b/c", DIGEST).toString());
    }

    @Test
    void otherRegistriesAreAskedOverHttps() {
        assertEquals("https://registry.example.com/v2/ns/name/manifests/" + DIGEST,
                OciRegistryClient.manifestUri("registry.example.com/ns/name", DIGEST).toString());
        assertEquals("https://127.example.com:5000/v2/ns/name/manifests/" + DIGEST,
                OciRegistryClient.manifestUri("127.example.com:5000/ns/name", DIGEST).toString());
    }

    @Test
    void anImageWithoutRepositoryIsRefused() {
        var e = assertThrows(HangarException.class, () -> OciRegistryClient.manifestUri("127.0.0.1:5000", DIGEST));
        assertEquals(ErrorCode.ERR_SPEC_INVALID, e.code());
    }
}
