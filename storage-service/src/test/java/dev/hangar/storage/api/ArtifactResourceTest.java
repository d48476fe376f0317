package dev.hangar.storage.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The storage REST API against the real S3 server on 127.0.0.1:9000. */
@QuarkusTest
class ArtifactResourceTest {

    private static final String BUCKET = "hangar-artifacts";
    private static final String PROBLEM = "application/problem+json";

    @Inject
    S3Client s3;

    @TestHTTPResource("/v1/artifacts/")
    URL artifactsUrl;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String keyPrefix;

    @BeforeEach
    void uniquePrefix() {
        InternalTokenTest.asGateway();
        keyPrefix = "test/" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void deleteWhatWeWrote() {
        s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(keyPrefix)).contents()
                .forEach(o -> s3.deleteObject(b -> b.bucket(BUCKET).key(o.key())));
    }

    private void put(String name, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(BUCKET).key(keyPrefix + name).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    private String rel(String name) {
        return keyPrefix + name;
    }

    private String path(String name) {
        return "/artifacts/" + keyPrefix + name;
    }

    @Test
    void listsAPrefixPageByPage() {
        for (int i = 0; i < 5; i++) {
            put("file-" + i + ".txt", ("content " + i).getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            var page = given().queryParam("prefix", "/artifacts/" + keyPrefix).queryParam("limit", 2)
                    .queryParams(token == null ? Map.of() : Map.of("token", token))
                    .when().get("/v1/artifacts")
                    .then().statusCode(200).contentType(ContentType.JSON)
                    .extract().jsonPath();
            List<String> paths = page.getList("items.path");
            assertTrue(paths.size() <= 2, "a page holds at most limit items");
            seen.addAll(paths);
            token = page.getString("next_token");
            pages++;
        } while (token != null);
        assertEquals(3, pages);
        assertEquals(List.of(path("file-0.txt"), path("file-1.txt"), path("file-2.txt"), path("file-3.txt"), path("file-4.txt")), seen);

        given().queryParam("prefix", "/artifacts/" + keyPrefix).when().get("/v1/artifacts")
                .then().statusCode(200)
                .body("items.size()", equalTo(5))
                .body("items[0].size_bytes", equalTo(9))
                .body("items[0].etag", notNullValue())
                .body("items[0].last_modified", notNullValue())
                .body("next_token", nullValue());
    }

    @Test
    void streamsALargeObjectUnchanged() throws Exception {
        byte[] bytes = new byte[20 * 1024 * 1024];
        new Random(42).nextBytes(bytes);
        put("big.bin", bytes, "application/x-test");

        HttpResponse<InputStream> answer = http.send(HttpRequest.newBuilder(artifactsUrl.toURI().resolve(rel("big.bin"))).header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, dev.hangar.contracts.InternalAuth.FALLBACK_TOKEN).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, answer.statusCode());
        assertEquals("application/x-test", answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(String.valueOf(bytes.length), answer.headers().firstValue("Content-Length").orElseThrow());
        assertTrue(answer.headers().firstValue("ETag").orElseThrow().startsWith("\""));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = answer.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                total += n;
            }
        }
        assertEquals(bytes.length, total);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void servesAByteRange() {
        put("alphabet.txt", "abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.UTF_8), "text/plain");
        given().header("Range", "bytes=10-19").when().get("/v1/artifacts/" + rel("alphabet.txt"))
                .then().statusCode(206)
                .header("Content-Range", "bytes 10-19/26")
                .header("Content-Length", "10")
                .body(equalTo("klmnopqrst"));
        given().header("Range", "bytes=-3").when().get("/v1/artifacts/" + rel("alphabet.txt"))
                .then().statusCode(206).header("Content-Range", "bytes 23-25/26").body(equalTo("xyz"));
        given().when().get("/v1/artifacts/" + rel("alphabet.txt"))
                .then().statusCode(200).header("Accept-Ranges", "bytes").body(equalTo("abcdefghijklmnopqrstuvwxyz"));
    }

    @Test
    void answers304WhileTheETagMatches() throws Exception {
        put("cached.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json");
        String etag = given().when().get("/v1/artifacts/" + rel("cached.json"))
                .then().statusCode(200).contentType("application/json").extract().header("ETag");
        assertNotNull(etag);

        HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(artifactsUrl.toURI().resolve(rel("cached.json"))).header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, dev.hangar.contracts.InternalAuth.FALLBACK_TOKEN)
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, answer.statusCode());
        assertEquals(0, answer.body().length);
        assertEquals(etag, answer.headers().firstValue("ETag").orElseThrow());

        given().header("If-None-Match", "\"something-else\"").when().get("/v1/artifacts/" + rel("cached.json"))
                .then().statusCode(200).body("a", equalTo(1));
        given().header("If-None-Match", etag).when().head("/v1/artifacts/" + rel("cached.json"))
                .then().statusCode(304);
    }

    @Test
    void headAnswersTheHeadersOnly() {
        put("head.txt", "twelve bytes".getBytes(StandardCharsets.UTF_8), null);
        given().when().head("/v1/artifacts/" + rel("head.txt"))
                .then().statusCode(200)
                .header("Content-Length", "12")
                .header("Content-Type", startsWith("application/octet-stream"))
                .header("ETag", startsWith("\""));
        given().when().head("/v1/artifacts/" + rel("nothing.txt")).then().statusCode(404);
    }

    @Test
    void deleteRemovesTheObjectAndIsIdempotent() {
        put("doomed.txt", "gone soon".getBytes(StandardCharsets.UTF_8), null);
        given().when().delete("/v1/artifacts/" + rel("doomed.txt")).then().statusCode(204);
        given().when().head("/v1/artifacts/" + rel("doomed.txt")).then().statusCode(404);
        given().when().delete("/v1/artifacts/" + rel("doomed.txt")).then().statusCode(204);
    }

    @Test
    void aMissingArtefactIsNotFound() {
        given().when().get("/v1/artifacts/" + rel("missing.json"))
                .then().statusCode(404).contentType(PROBLEM)
                .body("code", equalTo("ERR_ARTIFACT_NOT_FOUND"))
                .body("status", equalTo(404))
                .body("detail", containsString(path("missing.json")));
    }

    @Test
    void presignedPutThenPresignedGetWorkWithPlainHttp() throws Exception {
        byte[] bytes = "uploaded through a presigned URL".getBytes(StandardCharsets.UTF_8);
        Instant before = Instant.now();
        var put = given().contentType(ContentType.JSON)
                .body("{\"path\":\"" + path("presigned.txt") + "\",\"method\":\"PUT\"}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("method", equalTo("PUT"))
                .body("url", startsWith("http://127.0.0.1:9000/" + BUCKET + "/" + keyPrefix + "presigned.txt?"))
                .extract().jsonPath();
        Instant expires = Instant.parse(put.getString("expires_at"));
        assertTrue(!expires.isBefore(before.plusSeconds(899)) && expires.isBefore(Instant.now().plusSeconds(901)),
                "default expiry is 900 s, got " + expires);

        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(put.getString("url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, uploaded.statusCode(), uploaded.body());

        String getUrl = given().contentType(ContentType.JSON)
                .body("{\"path\":\"" + path("presigned.txt") + "\",\"method\":\"get\",\"expires_seconds\":60}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(200).body("method", equalTo("GET")).extract().path("url");
        HttpResponse<byte[]> downloaded = http.send(HttpRequest.newBuilder(URI.create(getUrl)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, downloaded.statusCode());
        assertArrayEquals(bytes, downloaded.body());

        given().when().get("/v1/artifacts/" + rel("presigned.txt")).then().statusCode(200)
                .body(equalTo("uploaded through a presigned URL"));
    }

    @Test
    void aPresignRequestWithABadMethodOrExpiryIsRefused() {
        given().contentType(ContentType.JSON).body("{\"path\":\"" + path("x") + "\",\"method\":\"DELETE\"}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST")).body("errors[0].path", equalTo("/method"));
        for (int seconds : new int[] {0, 604_801}) {
            given().contentType(ContentType.JSON)
                    .body("{\"path\":\"" + path("x") + "\",\"method\":\"GET\",\"expires_seconds\":" + seconds + "}")
                    .when().post("/v1/artifacts/presign")
                    .then().statusCode(400).contentType(PROBLEM)
                    .body("code", equalTo("ERR_BAD_REQUEST")).body("errors[0].path", equalTo("/expires_seconds"));
        }
        given().contentType(ContentType.JSON).body("{\"path\":\"" + path("x") + "\",\"method\":\"PUT\",\"expires_seconds\":604800}")
                .when().post("/v1/artifacts/presign").then().statusCode(200);
        // a URL to nothing would answer in S3's XML: a GET of a missing artefact is refused here
        given().contentType(ContentType.JSON).body("{\"path\":\"" + path("x") + "\",\"method\":\"GET\"}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(404).contentType(PROBLEM).body("code", equalTo("ERR_ARTIFACT_NOT_FOUND"));
        given().contentType(ContentType.JSON).body("{\"path\":\"/etc/passwd\",\"method\":\"GET\"}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void pathTraversalIsRefused() throws Exception {
        given().contentType(ContentType.JSON).body("{\"path\":\"/artifacts/" + keyPrefix + "../../etc\",\"method\":\"PUT\"}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
        given().queryParam("prefix", "/artifacts/../").when().get("/v1/artifacts")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
        // '..' that survives URL normalisation (an encoded slash) reaches the path check
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                artifactsUrl.toURI().resolve(keyPrefix + "..%2F..%2Fsecret"))
                .header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, dev.hangar.contracts.InternalAuth.FALLBACK_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("ERR_BAD_REQUEST"), answer.body());
    }

    @Test
    void aBadLimitIsRefused() {
        for (String limit : new String[] {"0", "1001", "many"}) {
            given().queryParam("limit", limit).when().get("/v1/artifacts")
                    .then().statusCode(400).contentType(PROBLEM)
                    .body("code", equalTo("ERR_BAD_REQUEST")).body("errors[0].path", equalTo("limit"));
        }
    }

    @Test
    void malformedOrUnknownJsonIsABadRequest() {
        given().contentType(ContentType.JSON).body("{\"path\": ")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
        given().contentType(ContentType.JSON).body("{\"path\":\"" + path("x") + "\",\"method\":\"GET\",\"bucket\":\"other\"}")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("ERR_BAD_REQUEST")).body("detail", containsString("bucket"));
        given().contentType(ContentType.JSON)
                .when().post("/v1/artifacts/presign")
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void aWrongContentTypeIsAProblem() {
        given().contentType(ContentType.TEXT).body("path=/artifacts/x")
                .when().post("/v1/artifacts/presign")
                .then().statusCode(415).contentType(PROBLEM).body("code", equalTo("ERR_BAD_REQUEST"));
    }

    @Test
    void isReadyWhenTheBucketExists() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("artifacts-bucket"));
    }
}
