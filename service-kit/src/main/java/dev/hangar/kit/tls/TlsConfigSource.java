package dev.hangar.kit.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * TLS for every Hangar service, written once (docs/tls.md). Three environment variables (or
 * system properties of the same names) turn it on; unset, it adds nothing and the loopback stack
 * runs in plaintext as before:
 * <ul>
 * <li>{@code HANGAR_TLS_CERT_FILE} + {@code HANGAR_TLS_KEY_FILE} (PEM): the service serves HTTPS
 * only, on its usual port ({@code quarkus.http.port}); plaintext requests are refused
 * ({@code insecure-requests=disabled}, no HTTP listener at all);
 * <li>{@code HANGAR_TLS_CA_FILE} (PEM): the CA its REST clients trust (host names verified) and
 * the Kafka clients' PEM truststore, for {@code KAFKA_SECURITY_PROTOCOL=SASL_SSL}.
 * </ul>
 * All of it goes into one named TLS registry configuration, {@value #NAME}. Its ordinal sits just
 * below {@code application.properties}, so any key set there, in the environment or with
 * {@code -D} still wins.
 */
public final class TlsConfigSource implements ConfigSource {
    /** The TLS registry configuration's name: {@code quarkus.tls.hangar.*}. */
    public static final String NAME = "hangar";
    public static final String CERT_ENV = "HANGAR_TLS_CERT_FILE";
    public static final String KEY_ENV = "HANGAR_TLS_KEY_FILE";
    public static final String CA_ENV = "HANGAR_TLS_CA_FILE";

    private final Map<String, String> properties;

    /** As Quarkus loads it (ServiceLoader): from the environment, else system properties. */
    public TlsConfigSource() {
        this(name -> {
            String value = System.getenv(name);
            return value != null ? value : System.getProperty(name);
        });
    }

    TlsConfigSource(Function<String, String> lookup) {
        this.properties = properties(set(lookup, CERT_ENV), set(lookup, KEY_ENV), set(lookup, CA_ENV));
    }

    static Map<String, String> properties(String cert, String key, String ca) {
        var props = new TreeMap<String, String>();
        if ((cert == null) != (key == null)) {
            throw new IllegalStateException("TLS needs both " + CERT_ENV + " and " + KEY_ENV + " (PEM files); only "
                    + (cert != null ? CERT_ENV : KEY_ENV) + " is set");
        }
        String prefix = "quarkus.tls." + NAME + ".";
        if (cert != null) {
            props.put(prefix + "key-store.pem.0.cert", readable(CERT_ENV, cert));
            props.put(prefix + "key-store.pem.0.key", readable(KEY_ENV, key));
            props.put("quarkus.http.tls-configuration-name", NAME);
            props.put("quarkus.http.insecure-requests", "disabled");
            props.put("quarkus.http.ssl-port", "${quarkus.http.port}");
            props.put("quarkus.http.test-ssl-port", "${quarkus.http.test-port:0}");
        }
        if (ca != null) {
            props.put(prefix + "trust-store.pem.certs", readable(CA_ENV, ca));
            props.put("quarkus.rest-client.tls-configuration-name", NAME);
            props.put("kafka.ssl.truststore.type", "PEM");
            props.put("kafka.ssl.truststore.location", ca);
        }
        return Map.copyOf(props);
    }

    private static String set(Function<String, String> lookup, String name) {
        String value = lookup.apply(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** A missing file fails the start with the variable's name, not a stack trace from deep in Vert.x. */
    private static String readable(String env, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalStateException(env + "=" + file + " is not a readable file");
        }
        return file;
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "HangarTls";
    }

    @Override
    public int getOrdinal() {
        return 240; // below application.properties (250), the environment (300) and -D (400)
    }
}
