package dev.hangar.cli.client;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads manifest digests from an OCI (Distribution) registry over plain HTTP, as the local stack runs it. */
public final class OciRegistry {
    /**
     * Without these media types Distribution converts the manifest to schema 1 and answers with
     * a digest that matches nothing docker pulls.
     */
    static final String ACCEPT = "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json";

    /** {@code 127.0.0.1:5000/examples/echo} split into the registry host and the repository. */
    public record ImageName(String registry, String repository) {
        public static ImageName parse(String image) {
            int slash = image.indexOf('/');
            if (slash <= 0 || slash == image.length() - 1) {
                throw new CliError(ErrorCode.ERR_SPEC_INVALID, "image '" + image
                        + "' must name a registry and a repository, e.g. 127.0.0.1:5000/examples/echo");
            }
            return new ImageName(image.substring(0, slash), image.substring(slash + 1));
        }
    }

    private final HttpClient http;

    public OciRegistry(HttpClient http) {
        this.http = http;
    }

    /** The {@code Docker-Content-Digest} of {@code image:tag}. */
    public String manifestDigest(String image, String tag) {
        ImageName name = ImageName.parse(image);
        URI uri = URI.create("http://" + name.registry() + "/v2/" + name.repository() + "/manifests/" + tag);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", ACCEPT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw CliError.unreachable("image registry", uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while asking the registry for " + image + ":" + tag, e);
        }
        if (response.statusCode() != 200) {
            throw new CliError(ErrorCode.ERR_DIGEST_NOT_FOUND, "registry answered HTTP " + response.statusCode()
                    + " for the manifest of " + image + ":" + tag + " (" + uri + ")");
        }
        String digest = response.headers().firstValue("Docker-Content-Digest").orElse("");
        if (!ContentId.isValid(digest)) {
            throw new CliError(ErrorCode.ERR_DIGEST_NOT_FOUND, "registry sent no usable Docker-Content-Digest for "
                    + image + ":" + tag + " (got '" + digest + "')");
        }
        return digest;
    }
}
