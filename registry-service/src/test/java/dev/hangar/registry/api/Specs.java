package dev.hangar.registry.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Spec bodies and the real digest of the base image in the local OCI registry. */
final class Specs {
    static final String IMAGE = "127.0.0.1:5000/base/debian";
    static final String MISSING_DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    private static final Path IMAGES_ENV = Path.of("/var/lib/container-runtime/images.env");
    private static String debianDigest;

    private Specs() {}

    /** A valid spec body for {@code ref} using {@code image}, pinning {@code digests}. */
    static ObjectNode spec(String ref, String image, Map<String, String> digests) {
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.put("ref", ref);
        spec.put("description", "test processor " + ref);
        spec.put("image", image);
        ObjectNode pins = spec.putObject("digests");
        digests.forEach(pins::put);
        spec.putObject("runtime").put("cpu", 1.0).put("memory_mb", 256).put("gpus", 0).put("timeout_seconds", 60);
        spec.putArray("secrets");
        ObjectNode schema = spec.putObject("inputs_schema");
        schema.put("type", "object");
        schema.putArray("required").add("text");
        schema.putObject("properties").putObject("text").put("type", "string");
        spec.putArray("outputs").addObject().put("name", "output.json").put("mime", "application/json");
        return spec;
    }

    static ObjectNode spec(String ref) {
        return spec(ref, IMAGE, Map.of());
    }

    /** The digest the registry serves for base/debian, from the stack's images.env or the registry itself. */
    static synchronized String debianDigest() throws IOException, InterruptedException {
        if (debianDigest == null) {
            if (Files.exists(IMAGES_ENV)) {
                for (String line : Files.readAllLines(IMAGES_ENV)) {
                    if (line.startsWith("DEBIAN_IMAGE_PINNED=" + IMAGE + "@")) {
                        debianDigest = line.substring(line.indexOf('@') + 1).strip();
                    }
                }
            }
            if (debianDigest == null) {
                HttpRequest head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v2/base/debian/manifests/bookworm"))
                        .HEAD().header("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
                                + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json")
                        .build();
                try (HttpClient http = HttpClient.newHttpClient()) {
                    debianDigest = http.send(head, HttpResponse.BodyHandlers.discarding())
                            .headers().firstValue("Docker-Content-Digest").orElseThrow();
                }
            }
        }
        return debianDigest;
    }

    /** The internal token of the test profile (the properties' development fallback). */
    static final String INTERNAL_TOKEN = dev.hangar.contracts.InternalAuth.FALLBACK_TOKEN;

    /** Every following RestAssured request comes from the gateway with the token, on behalf of {@code owner}. */
    static void actAs(String owner) {
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, INTERNAL_TOKEN)
                .addHeader(dev.hangar.contracts.InternalAuth.OWNER_HEADER, owner).build();
    }

    /** The real manifest digest of the Python base image (a second image whose digest differs from Debian's). */
    static String pythonDigest() throws IOException, InterruptedException {
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v2/base/python/manifests/3.11-bookworm"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
                        + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json")
                .build();
        return java.net.http.HttpClient.newHttpClient().send(head, java.net.http.HttpResponse.BodyHandlers.discarding())
                .headers().firstValue("Docker-Content-Digest").orElseThrow();
    }
}
