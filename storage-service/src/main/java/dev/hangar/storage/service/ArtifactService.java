package dev.hangar.storage.service;

import dev.hangar.contracts.ArtifactInfo;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Presign;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.storage.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;

/** Listing, reading and presigning artefacts; paths are {@code /artifacts/...}, keys are below the bucket root. */
@ApplicationScoped
public class ArtifactService {

    static final int MAX_LIMIT = 1000;
    static final int DEFAULT_EXPIRY_SECONDS = 900;
    static final int MAX_EXPIRY_SECONDS = 604_800;
    private static final String OCTET_STREAM = "application/octet-stream";
    /** One byte range; anything else (several ranges, other units) is ignored as RFC 9110 allows. */
    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=([0-9]+-[0-9]*|-[0-9]+)");

    private final ArtifactStore store;

    public ArtifactService(ArtifactStore store) {
        this.store = store;
    }

    public ArtifactInfo.Page list(String prefix, String token, String limit) {
        String keyPrefix = keyPrefix(prefix);
        int max = limit(limit);
        var page = store.list(keyPrefix, token == null || token.isBlank() ? null : token, max);
        List<ArtifactInfo> items = page.contents().stream().map(ArtifactService::info).toList();
        return new ArtifactInfo.Page(items, Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null);
    }

    /** {@code relativePath} is the artefact path without its leading {@code /artifacts/}. */
    public Download open(String relativePath, String range, String ifNoneMatch) {
        String key = key(relativePath);
        String asked = range != null && SINGLE_RANGE.matcher(range.strip()).matches() ? range.strip() : null;
        try {
            var stream = store.open(key, asked, blankToNull(ifNoneMatch));
            var r = stream.response();
            int status = r.sdkHttpResponse().statusCode() == 206 ? 206 : 200;
            return new Download(status, contentType(r.contentType()), r.contentLength(), r.eTag(),
                    status == 206 ? r.contentRange() : null, r.lastModified(), stream);
        } catch (ArtifactStore.NotModified e) {
            return Download.notModified(e.etag() == null ? ifNoneMatch : e.etag());
        }
    }

    public Download head(String relativePath, String ifNoneMatch) {
        String key = key(relativePath);
        try {
            var r = store.head(key, blankToNull(ifNoneMatch));
            return new Download(200, contentType(r.contentType()), r.contentLength(), r.eTag(), null, r.lastModified(), null);
        } catch (ArtifactStore.NotModified e) {
            return Download.notModified(e.etag() == null ? ifNoneMatch : e.etag());
        }
    }

    /** Deletes one artefact (idempotent: an absent one is already deleted); the gateway's checkpoint sweeper calls it. */
    public void delete(String relativePath) {
        store.delete(key(relativePath));
    }

    public Presign.Url presign(Presign.Request request) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a Presign.Request JSON body is required: "
                    + "{\"path\": \"/artifacts/...\", \"method\": \"GET\"|\"PUT\", \"expires_seconds\": 900}");
        }
        String key = ArtifactPath.toKey(request.path());
        String method = request.method() == null ? "" : request.method().strip().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("PUT")) {
            throw invalid("/method", "must be GET or PUT", "method '" + request.method() + "' cannot be presigned");
        }
        int seconds = request.expiresSeconds() == null ? DEFAULT_EXPIRY_SECONDS : request.expiresSeconds();
        if (seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
            throw invalid("/expires_seconds", "must be between 1 and " + MAX_EXPIRY_SECONDS,
                    "expires_seconds " + seconds + " is out of range 1.." + MAX_EXPIRY_SECONDS);
        }
        if (method.equals("GET") && !store.exists(key)) {
            // a URL to nothing would answer the client in S3's XML; say it here, in our terms
            throw new HangarException(ErrorCode.ERR_ARTIFACT_NOT_FOUND, "no artefact is stored at " + request.path());
        }
        Duration ttl = Duration.ofSeconds(seconds);
        PresignedRequest signed = method.equals("GET") ? store.presignGet(key, ttl) : store.presignPut(key, ttl);
        return new Presign.Url(signed.url().toString(), method, signed.expiration());
    }

    /** The whole bucket for no prefix or {@code /artifacts/}; otherwise a checked path prefix. */
    private static String keyPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.equals(WritePrefix.ROOT)
                || prefix.equals(WritePrefix.ROOT.substring(0, WritePrefix.ROOT.length() - 1))) {
            return "";
        }
        return ArtifactPath.toKey(prefix);
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return MAX_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.strip());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid("limit", "must be an integer between 1 and " + MAX_LIMIT, "limit '" + limit + "' is not in 1.." + MAX_LIMIT);
    }

    private static String key(String relativePath) {
        return ArtifactPath.toKey(WritePrefix.ROOT + (relativePath == null ? "" : relativePath));
    }

    private static ArtifactInfo info(S3Object o) {
        return new ArtifactInfo(ArtifactPath.fromKey(o.key()), o.size() == null ? 0 : o.size(), unquote(o.eTag()),
                o.lastModified());
    }

    private static String unquote(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1) : etag;
    }

    private static String contentType(String stored) {
        return stored == null || stored.isBlank() ? OCTET_STREAM : stored;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static HangarException invalid(String path, String rule, String message) {
        return new HangarException(ErrorCode.ERR_BAD_REQUEST, message, List.of(new Problem.FieldError(path, rule)));
    }
}
