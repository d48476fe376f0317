package dev.hangar.kit.tls;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.http.HttpClient;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The {@link TlsConfigSource#NAME hangar} TLS configuration for the listeners and clients Quarkus
 * does not wire itself: a second Vert.x HTTP server (the gateway's internal port) and
 * {@code java.net.http} clients (health checks). Quarkus's own HTTP server and the REST clients
 * take it from configuration.
 */
@ApplicationScoped
public class HangarTls {
    private final Optional<TlsConfiguration> tls;

    public HangarTls(TlsConfigurationRegistry registry) {
        this.tls = registry.get(TlsConfigSource.NAME);
    }

    /** Whether this service serves HTTPS ({@code HANGAR_TLS_CERT_FILE} and {@code _KEY_FILE} set). */
    public boolean serving() {
        return tls.map(t -> t.getKeyStore() != null).orElse(false);
    }

    /** {@code options} serving HTTPS with the service's certificate when it serves HTTPS; unchanged otherwise. */
    public HttpServerOptions secure(HttpServerOptions options) {
        if (!serving()) {
            return options;
        }
        var ssl = tls.get().getSSLOptions();
        options.setSsl(true).setKeyCertOptions(tls.get().getKeyStoreOptions()).setUseAlpn(ssl.isUseAlpn());
        options.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
        ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        return options;
    }

    /**
     * A {@code java.net.http} client builder that trusts the configured CA ({@code HANGAR_TLS_CA_FILE})
     * and verifies host names (the JDK client always does); the JDK's trust store when none is set.
     */
    public HttpClient.Builder httpClient() {
        var builder = HttpClient.newBuilder();
        if (tls.isPresent() && tls.get().getTrustStore() != null) {
            try {
                SSLContext context = tls.get().createSSLContext();
                builder.sslContext(context);
            } catch (Exception e) {
                throw new IllegalStateException("cannot build a TLS context from " + TlsConfigSource.CA_ENV + ": " + e.getMessage(), e);
            }
        }
        return builder;
    }
}
