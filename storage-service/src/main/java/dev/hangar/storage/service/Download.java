package dev.hangar.storage.service;

import java.io.InputStream;
import java.time.Instant;

/**
 * One answer to a GET or HEAD of an artefact.
 *
 * @param status        200, 206 (a range) or 304 (the client's ETag still matches)
 * @param contentRange  {@code bytes a-b/size} for a 206, else null
 * @param body          the object's bytes, still streaming from S3; null for HEAD and 304
 */
public record Download(int status, String contentType, long contentLength, String etag, String contentRange,
                       Instant lastModified, InputStream body) {

    static Download notModified(String etag) {
        return new Download(304, null, -1, etag, null, null, null);
    }
}
