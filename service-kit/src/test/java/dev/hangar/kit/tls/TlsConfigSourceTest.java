package dev.hangar.kit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigSourceTest {
    @TempDir
    Path dir;

    @Test
    void nothingSetAddsNothingSoTheLoopbackStackStaysPlaintext() {
        assertEquals(Map.of(), new TlsConfigSource(name -> null).getProperties());
        assertEquals(Map.of(), new TlsConfigSource(name -> " ").getProperties());
    }

    @Test
    void aCertificateAndKeyServeHttpsOnlyOnTheUsualPort() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "c");
        Path key = Files.writeString(dir.resolve("key.pem"), "k");
        var props = new TlsConfigSource(Map.of(TlsConfigSource.CERT_ENV, cert.toString(), TlsConfigSource.KEY_ENV, key.toString())::get)
                .getProperties();
        assertEquals(cert.toString(), props.get("quarkus.tls.hangar.key-store.pem.0.cert"));
        assertEquals(key.toString(), props.get("quarkus.tls.hangar.key-store.pem.0.key"));
        assertEquals("hangar", props.get("quarkus.http.tls-configuration-name"));
        assertEquals("disabled", props.get("quarkus.http.insecure-requests"));
        assertEquals("${quarkus.http.port}", props.get("quarkus.http.ssl-port"));
        assertTrue(props.keySet().stream().noneMatch(k -> k.contains("trust-store") || k.startsWith("kafka.")), props.toString());
    }

    @Test
    void aCaIsWhatEveryClientTrustsKafkaIncluded() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "a");
        var props = new TlsConfigSource(Map.of(TlsConfigSource.CA_ENV, ca.toString())::get).getProperties();
        assertEquals(Map.of("quarkus.tls.hangar.trust-store.pem.certs", ca.toString(),
                "quarkus.rest-client.tls-configuration-name", "hangar",
                "kafka.ssl.truststore.type", "PEM",
                "kafka.ssl.truststore.location", ca.toString()), props);
    }

    @Test
    void halfAKeyPairOrAMissingFileFailsTheStartNamingTheVariable() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "c");
        var half = assertThrows(IllegalStateException.class,
                () -> new TlsConfigSource(Map.of(TlsConfigSource.CERT_ENV, cert.toString())::get));
        assertTrue(half.getMessage().contains("HANGAR_TLS_KEY_FILE"), half.getMessage());
        var missing = assertThrows(IllegalStateException.class,
                () -> new TlsConfigSource(Map.of(TlsConfigSource.CA_ENV, dir.resolve("nope.pem").toString())::get));
        assertTrue(missing.getMessage().contains("HANGAR_TLS_CA_FILE=") && missing.getMessage().contains("not a readable file"),
                missing.getMessage());
    }
}
