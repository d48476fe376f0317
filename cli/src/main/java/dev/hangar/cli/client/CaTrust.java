package dev.hangar.cli.client;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Which CAs an https gateway's certificate may chain to (docs/tls.md): the PEM file named by
 * {@code HANGAR_CA_FILE} only (the CA a private installation signs its gateway with, as the
 * services' {@code HANGAR_TLS_CA_FILE}), else the JDK's trust store. Host names are always
 * verified (the JDK client does); wss streams use the same context.
 */
public final class CaTrust {
    public static final String ENV = "HANGAR_CA_FILE";

    private CaTrust() {}

    /** The context for {@code env}'s CA file; null when none is set (the JDK's default then). */
    public static SSLContext fromEnvironment(Map<String, String> env) {
        String file = env.get(ENV);
        return file == null || file.isBlank() ? null : trusting(Path.of(file.strip()));
    }

    static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in it");
            }
            var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            var context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "$" + ENV + "=" + pem + " must be a readable PEM file of CA certificates ("
                    + e.getMessage() + ")");
        }
    }
}
