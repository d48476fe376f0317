package dev.hangar.gateway.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
import dev.hangar.contracts.RunDetail;
import dev.hangar.gateway.client.StorageClient;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * A completed call's result: its run's {@code output.json}, read from the artefact store through
 * a presigned URL (the same way a client downloads it). Results never change once written, so a
 * few recent ones are cached by content id: a client polling a finished future costs one read.
 */
@ApplicationScoped
public class FutureResults {
    static final long MAX_RESULT_BYTES = 8L << 20;
    private static final int CACHED = 256;

    private final StorageClient storage;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ConcurrentHashMap<String, JsonNode> cache = new ConcurrentHashMap<>();

    public FutureResults(@RestClient StorageClient storage) {
        this.storage = storage;
    }

    /** The result, or empty when the run stored no output.json (not a session processor's run). */
    java.util.Optional<JsonNode> result(RunDetail run) {
        OutputRef output = run.outputs() == null ? null : run.outputs().stream()
                .filter(o -> o.path().endsWith("/output.json")).findFirst().orElse(null);
        if (output == null) {
            return java.util.Optional.empty();
        }
        if (output.sizeBytes() > MAX_RESULT_BYTES) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_LIMIT, "the result of " + run.executionId() + " is " + output.sizeBytes()
                    + " bytes; download it from " + output.path());
        }
        var cached = cache.get(output.cid());
        if (cached != null) {
            return java.util.Optional.of(cached);
        }
        JsonNode result = read(output);
        if (cache.size() >= CACHED) {
            cache.clear();
        }
        cache.put(output.cid(), result);
        return java.util.Optional.of(result);
    }

    private JsonNode read(OutputRef output) {
        Presign.Url url = Remote.call("the storage service", () -> storage.presign(new Presign.Request(output.path(), "GET", 60)));
        try {
            var response = http.send(HttpRequest.newBuilder(URI.create(url.url())).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the artefact store answered " + response.statusCode()
                        + " for " + output.path());
            }
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "reading " + output.path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "interrupted reading " + output.path(), e);
        }
    }
}
