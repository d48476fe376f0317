package dev.hangar.gateway.fault;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Registers the fault tests' processor with the local stack's registry service (its image is never run). */
final class Registry {
    static final String URL = System.getenv().getOrDefault("HANGAR_REGISTRY_URL", "http://127.0.0.1:8081");
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}";

    private Registry() {}

    static void registerEcho() throws Exception {
        var head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v2/base/debian/manifests/bookworm"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
                        + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json")
                .build();
        String digest = GatewayProcess.HTTP.send(head, HttpResponse.BodyHandlers.discarding()).headers()
                .firstValue("Docker-Content-Digest").orElseThrow();
        var spec = new ProcessorSpec(Bus.REF, "fault tests", "127.0.0.1:5000/base/debian", Map.of(Platform.AMD64.wire(), digest),
                null, List.of(), Json.MAPPER.readTree(SCHEMA), null);
        var put = HttpRequest.newBuilder(URI.create(URL + "/v1/processors/faulttest/echo/versions/1"))
                .header("Content-Type", "application/json").header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                .header(InternalAuth.OWNER_HEADER, GatewayProcess.OWNER).PUT(HttpRequest.BodyPublishers.ofString(Json.write(spec))).build();
        var answer = GatewayProcess.HTTP.send(put, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException("the registry refused the test processor: " + answer.body());
        }
    }
}
