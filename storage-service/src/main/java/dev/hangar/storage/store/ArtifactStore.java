package dev.hangar.storage.store;

import dev.hangar.kit.config.Blocking;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.storage.config.StorageConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;

/**
 * Every S3 call of the service, against the one artefacts bucket. S3 failures leave here as
 * {@link HangarException}s (or {@link NotModified}), so callers never see SDK types for errors.
 */
@ApplicationScoped
public class ArtifactStore {

    /** The object has the ETag the client already holds. */
    public static final class NotModified extends RuntimeException {
        private final String etag;

        NotModified(String etag) {
            super(null, null, false, false);
            this.etag = etag;
        }

        public String etag() {
            return etag;
        }
    }

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    public ArtifactStore(S3Client s3, S3Presigner presigner, StorageConfig config) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = config.bucket();
    }

    public String bucket() {
        return bucket;
    }

    public ListObjectsV2Response list(String keyPrefix, String token, int limit) {
        return call("list " + ArtifactPath.fromKey(keyPrefix), null, () -> s3.listObjectsV2(b -> b.bucket(bucket)
                .prefix(keyPrefix.isEmpty() ? null : keyPrefix).continuationToken(token).maxKeys(limit)));
    }

    /** Opens the object (or the asked byte range); the caller must close the stream. */
    public ResponseInputStream<GetObjectResponse> open(String key, String range, String ifNoneMatch) {
        return call("read " + ArtifactPath.fromKey(key), key, () -> s3.getObject(b -> b.bucket(bucket).key(key)
                .range(range).ifNoneMatch(ifNoneMatch)));
    }

    public HeadObjectResponse head(String key, String ifNoneMatch) {
        return call("read " + ArtifactPath.fromKey(key), key, () -> s3.headObject(b -> b.bucket(bucket).key(key)
                .ifNoneMatch(ifNoneMatch)));
    }

    public PresignedRequest presignGet(String key, Duration ttl) {
        return presigner.presignGetObject(b -> b.signatureDuration(ttl).getObjectRequest(o -> o.bucket(bucket).key(key)));
    }

    public PresignedRequest presignPut(String key, Duration ttl) {
        return presigner.presignPutObject(b -> b.signatureDuration(ttl).putObjectRequest(o -> o.bucket(bucket).key(key)));
    }

    /** Whether an object exists at the key. */
    public boolean exists(String key) {
        try {
            head(key, null);
            return true;
        } catch (HangarException e) {
            if (e.code() == ErrorCode.ERR_ARTIFACT_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** Stores a local file at the key. */
    public void put(String key, java.nio.file.Path file, String mime) {
        call("write " + ArtifactPath.fromKey(key), null, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(mime),
                software.amazon.awssdk.core.sync.RequestBody.fromFile(file)));
    }

    /** Removes the object at the key; removing one that is not there is not an error (S3's DeleteObject). */
    public void delete(String key) {
        call("delete " + ArtifactPath.fromKey(key), key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    /** Throws unless the bucket exists and our credentials reach it. */
    public void requireBucket() {
        call("reach bucket " + bucket, null, () -> s3.headBucket(b -> b.bucket(bucket)));
    }

    private <T> T call(String what, String key, Supplier<T> request) {
        Blocking.require("S3 " + what);
        try {
            return request.get();
        } catch (S3Exception e) {
            throw translate(what, key, e);
        } catch (SdkClientException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the artefact store cannot be reached to " + what
                    + ": " + e.getMessage(), e);
        }
    }

    private RuntimeException translate(String what, String key, S3Exception e) {
        String s3Code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return switch (e.statusCode()) {
            case 304 -> new NotModified(e.awsErrorDetails() == null ? null
                    : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("ETag").orElse(null));
            case 404 -> key != null && !"NoSuchBucket".equals(s3Code)
                    ? new HangarException(ErrorCode.ERR_ARTIFACT_NOT_FOUND, "no artefact is stored at " + ArtifactPath.fromKey(key))
                    : new HangarException(ErrorCode.ERR_UNAVAILABLE, "bucket " + bucket + " does not exist; could not " + what, e);
            case 416 -> new HangarException(ErrorCode.ERR_BAD_REQUEST, "the requested range cannot be served from "
                    + ArtifactPath.fromKey(key) + " (it is shorter)");
            case 400 -> new HangarException(ErrorCode.ERR_BAD_REQUEST, "the artefact store refused to " + what + ": "
                    + describe(e));
            case 401, 403 -> new HangarException(ErrorCode.ERR_UNAVAILABLE, "the artefact store refused our credentials ("
                    + describe(e) + "); could not " + what, e);
            default -> e.statusCode() >= 500
                    ? new HangarException(ErrorCode.ERR_UNAVAILABLE, "the artefact store failed to " + what + " (HTTP "
                            + e.statusCode() + ")", e)
                    : new IllegalStateException("unexpected S3 answer " + e.statusCode() + " to " + what, e);
        };
    }

    private static String describe(S3Exception e) {
        var details = e.awsErrorDetails();
        if (details == null) {
            return "HTTP " + e.statusCode();
        }
        return (details.errorCode() == null ? "" : details.errorCode() + ": ")
                + (details.errorMessage() == null ? "HTTP " + e.statusCode() : details.errorMessage());
    }
}
