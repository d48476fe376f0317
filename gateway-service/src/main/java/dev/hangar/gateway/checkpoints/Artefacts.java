package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
import dev.hangar.gateway.client.StorageClient;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The storage-service calls checkpoints make, by artefact path ({@code /artifacts/...}). */
@ApplicationScoped
public class Artefacts {
    private final StorageClient storage;

    public Artefacts(@RestClient StorageClient storage) {
        this.storage = storage;
    }

    public InputStream open(String artefactPath) {
        return Remote.call("the storage service", () -> storage.open(encoded(artefactPath)));
    }

    /** Stores the bytes content-addressed, as an upload is: {@code /artifacts/inputs/sha256:<hex>/<filename>}. */
    public OutputRef storeAddressed(String filename, InputStream body) {
        return Remote.call("the storage service", () -> storage.upload(filename, body));
    }

    /** Copies an artefact to its content-addressed place. */
    public OutputRef copyAddressed(String artefactPath, String filename) {
        try (InputStream in = open(artefactPath)) {
            return storeAddressed(filename, in);
        } catch (java.io.IOException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "reading " + artefactPath + " from the storage service: " + e.getMessage(), e);
        }
    }

    public void delete(String artefactPath) {
        Remote.call("the storage service", () -> {
            storage.delete(encoded(artefactPath));
            return null;
        });
    }

    public Presign.Url presignGet(String artefactPath, int seconds) {
        Presign.Url url = Remote.call("the storage service", () -> storage.presign(new Presign.Request(artefactPath, "GET", seconds)));
        if (url == null || url.url() == null) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the storage service gave no URL for " + artefactPath);
        }
        return url;
    }

    /** The key's segments percent-encoded, for the storage service's {@code /v1/artifacts/{path}}. */
    static String encoded(String artefactPath) {
        String key = ArtifactPath.toKey(artefactPath);
        return Stream.of(key.split("/", -1)).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }
}
