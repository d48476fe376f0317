package dev.hangar.gateway.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
import dev.hangar.contracts.Sampling;
import dev.hangar.gateway.client.StorageClient;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Reads a sampling run's {@code output.json} back from the artefact store (through a presigned
 * URL, as a client would) and turns it into Tinker's SampleResponse. A run whose output is not a
 * SampleResponse is {@link ErrorCode#ERR_OUTPUT_INVALID}: the processor broke its contract.
 */
@ApplicationScoped
public class SampleResults {
    static final String OUTPUT = "output.json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StorageClient storage;
    private final SamplingConfig config;

    public SampleResults(@RestClient StorageClient storage, SamplingConfig config) {
        this.storage = storage;
        this.config = config;
    }

    Sampling.Response read(Envelope envelope, String streamUrl) {
        String runId = envelope.executionId();
        OutputRef output = envelope.outputs() == null ? null : envelope.outputs().stream()
                .filter(o -> o.path().endsWith("/" + OUTPUT)).findFirst().orElse(null);
        if (output == null) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "sampling run " + runId + " stored no " + OUTPUT);
        }
        if (output.sizeBytes() > config.maxResultBytes()) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_LIMIT, "sampling run " + runId + "'s " + OUTPUT + " is "
                    + output.sizeBytes() + " bytes; the gateway reads at most hangar.gateway.sampling.max-result-bytes="
                    + config.maxResultBytes());
        }
        JsonNode json = Json.read(fetch(output.path()), JsonNode.class);
        return response(json, runId, streamUrl);
    }

    private String fetch(String path) {
        Presign.Url url = Remote.call("the storage service", () -> storage.presign(new Presign.Request(path, "GET", 60)));
        try {
            var answer = HTTP.send(HttpRequest.newBuilder(URI.create(url.url())).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the artefact store answered " + answer.statusCode() + " for " + path);
            }
            return answer.body();
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the artefact store is unreachable (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "interrupted while reading " + path, e);
        }
    }

    static Sampling.Response response(JsonNode out, String runId, String streamUrl) {
        if (!out.path("sequences").isArray() || !Sampling.Response.TYPE.equals(out.path("type").asText())) {
            throw new HangarException(ErrorCode.ERR_OUTPUT_INVALID, "sampling run " + runId + "'s " + OUTPUT
                    + " is not a SampleResponse (no sequences or type)");
        }
        var sequences = new ArrayList<Sampling.Sequence>();
        for (JsonNode s : out.path("sequences")) {
            sequences.add(new Sampling.Sequence(ints(s.path("tokens")), doubles(s.path("logprobs")), s.path("stop_reason").asText(),
                    s.path("text").isTextual() ? s.path("text").asText() : null));
        }
        List<Double> promptLogprobs = out.path("prompt_logprobs").isArray() ? doubles(out.path("prompt_logprobs")) : null;
        JsonNode topk = out.path("topk_prompt_logprobs").isArray() ? out.path("topk_prompt_logprobs") : null;
        return new Sampling.Response(sequences, promptLogprobs, topk, Sampling.Response.TYPE, runId, streamUrl);
    }

    private static List<Integer> ints(JsonNode array) {
        var values = new ArrayList<Integer>();
        array.forEach(v -> values.add(v.asInt()));
        return values;
    }

    private static List<Double> doubles(JsonNode array) {
        var values = new ArrayList<Double>();
        array.forEach(v -> values.add(v.isNull() ? null : v.asDouble()));
        return values;
    }
}
