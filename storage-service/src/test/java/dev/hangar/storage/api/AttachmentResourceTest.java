package dev.hangar.storage.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Uploads against the real S3 server: content-addressed, stored once, names checked. */
@QuarkusTest
class AttachmentResourceTest {

    @org.junit.jupiter.api.BeforeEach
    void asGateway() {
        InternalTokenTest.asGateway();
    }

    @Test
    void anUploadIsStoredUnderItsContentId() throws Exception {
        byte[] bytes = ("attachment " + UUID.randomUUID()).getBytes();
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String path = given().contentType("application/octet-stream").body(bytes)
                .when().post("/v1/attachments?filename=notes.txt")
                .then().statusCode(201)
                .body("cid", equalTo("sha256:" + hex))
                .body("size_bytes", equalTo(bytes.length))
                .body("mime", equalTo("text/plain"))
                .extract().path("path");
        assertEquals("/artifacts/inputs/sha256:" + hex + "/notes.txt", path);
        byte[] stored = given().when().get("/v1/artifacts/inputs/sha256:" + hex + "/notes.txt")
                .then().statusCode(200).extract().asByteArray();
        assertEquals(new String(bytes), new String(stored));
        given().contentType("application/octet-stream").body(bytes).when().post("/v1/attachments?filename=notes.txt")
                .then().statusCode(201).body("path", equalTo(path));
    }

    @Test
    void badNamesAreRefused() {
        for (String name : new String[] {"", "..", "a/b", "a\\b", "x\u0001y", "n".repeat(256)}) {
            given().contentType("application/octet-stream").body(new byte[] {1}).queryParam("filename", name)
                    .when().post("/v1/attachments")
                    .then().statusCode(400).body("code", equalTo("ERR_ATTACHMENT_INVALID"));
        }
    }
}
