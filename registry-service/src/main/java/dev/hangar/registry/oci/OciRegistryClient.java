package dev.hangar.registry.oci;

import dev.hangar.kit.config.Blocking;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.registry.config.RegistryConfig;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/** Asks an OCI (Distribution) registry whether it holds a manifest, by digest. */
@ApplicationScoped
public class OciRegistryClient {

    /**
     * Without these types the registry converts the manifest to schema1 and answers with a
     * different digest than {@code docker push} printed.
     */
    static final String MANIFEST_TYPES = String.join(",",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private static final Pattern LOOPBACK = Pattern.compile("(localhost|127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})(:[0-9]+)?");

    private final HttpClient http;
    private final Duration requestTimeout;

    public OciRegistryClient(RegistryConfig config) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.ociConnectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.requestTimeout = config.ociRequestTimeout();
    }

    /**
     * Returns if the registry has {@code image@digest}; otherwise throws
     * {@link ErrorCode#ERR_DIGEST_NOT_FOUND}, or {@link ErrorCode#ERR_UNAVAILABLE} when the
     * registry cannot be asked.
     */
    @WithSpan("oci.manifest.check")
    public void requireManifest(String image, String digest) {
        Blocking.require("OCI manifest check");
        URI uri = manifestUri(image, digest);
        HttpRequest request = HttpRequest.newBuilder(uri).HEAD()
                .header("Accept", MANIFEST_TYPES)
                .timeout(requestTimeout)
                .build();
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "OCI registry " + uri.getAuthority()
                    + " cannot be reached to check " + image + "@" + digest + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "interrupted while asking the OCI registry "
                    + uri.getAuthority(), e);
        }
        if (status == 200) {
            return;
        }
        if (status == 404) {
            throw new HangarException(ErrorCode.ERR_DIGEST_NOT_FOUND, "the OCI registry has no manifest "
                    + image + "@" + digest + "; push the image first (docker push) and pin the digest it printed");
        }
        throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "OCI registry " + uri.getAuthority() + " answered HTTP "
                + status + " for " + image + "@" + digest + (status == 401 || status == 403
                ? " (registries that need credentials are not supported)" : ""));
    }

    /** {@code host[:port]/repo/path} to the manifest URL; plain HTTP only for loopback registries. */
    static URI manifestUri(String image, String digest) {
        int slash = image.indexOf('/');
        if (slash <= 0 || slash == image.length() - 1) {
            throw new HangarException(ErrorCode.ERR_SPEC_INVALID, "image '" + image
                    + "' must be host[:port]/repository, e.g. 127.0.0.1:5000/ns/name");
        }
        String host = image.substring(0, slash);
        String scheme = LOOPBACK.matcher(host).matches() ? "http" : "https";
        return URI.create(scheme + "://" + host + "/v2/" + image.substring(slash + 1) + "/manifests/" + digest);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
