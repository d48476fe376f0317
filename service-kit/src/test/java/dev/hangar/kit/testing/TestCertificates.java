package dev.hangar.kit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA and server certificates it signs, as PEM files, made with the JDK's own
 * {@code keytool} (no BouncyCastle, no openssl): what docs/tls.md asks an operator for, for tests.
 */
public final class TestCertificates {
    private static final String PASSWORD = "test-only-store-password";
    private final Path dir;
    /** The CA certificate (PEM): what clients trust. */
    public final Path ca;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.pem");
    }

    /** A server certificate (chain with the CA) and its unencrypted PKCS#8 key, as PEM files. */
    public record Server(Path cert, Path key) {
        /** Key and chain in one file, as Kafka's PEM key store wants it. */
        public Path keyAndChain() throws IOException {
            Path both = cert.resolveSibling(cert.getFileName() + ".with-key.pem");
            Files.writeString(both, Files.readString(key) + Files.readString(cert));
            return both;
        }
    }

    /** A new CA in {@code dir}. */
    public static TestCertificates create(Path dir) throws Exception {
        var certs = new TestCertificates(Files.createDirectories(dir));
        certs.keytool(null, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=hangar-test-ca",
                "-ext", "bc:c", "-validity", "2", "-keystore", certs.store("ca"));
        Files.writeString(certs.ca, certs.keytool(null, "-exportcert", "-rfc", "-alias", "ca", "-keystore", certs.store("ca")));
        return certs;
    }

    /**
     * A server certificate signed by this CA for the subject alternative names {@code san}
     * (keytool's form: {@code ip:127.0.0.1}, {@code dns:other.example}).
     */
    public Server server(String name, String san) throws Exception {
        keytool(null, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name, "-validity", "2",
                "-keystore", store(name));
        String request = keytool(null, "-certreq", "-alias", name, "-keystore", store(name));
        String signed = keytool(request, "-gencert", "-alias", "ca", "-keystore", store("ca"), "-rfc", "-validity", "2",
                "-ext", "san=" + san, "-ext", "eku=serverAuth", "-ext", "ku=digitalSignature,keyEncipherment");
        Path cert = dir.resolve(name + ".pem");
        Files.writeString(cert, signed + Files.readString(ca));
        var keystore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(store(name)))) {
            keystore.load(in, PASSWORD.toCharArray());
        }
        byte[] pkcs8 = keystore.getKey(name, PASSWORD.toCharArray()).getEncoded();
        Path key = dir.resolve(name + ".key.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n");
        return new Server(cert, key);
    }

    /** A client context that trusts this CA only (as a service with {@code HANGAR_TLS_CA_FILE}, or the CLI with {@code --ca-file}). */
    public javax.net.ssl.SSLContext clientContext() throws Exception {
        var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var factory = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        var context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private String store(String name) {
        return dir.resolve(name + ".p12").toString();
    }

    private String keytool(String stdin, String... args) throws Exception {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        Path log = dir.resolve("keytool.log");
        var process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes());
        }
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out + Files.readString(log));
        }
        return out;
    }
}
