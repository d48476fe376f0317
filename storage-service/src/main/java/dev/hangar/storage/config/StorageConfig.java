package dev.hangar.storage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where artefacts live. Each key is fed by the environment variable named in its javadoc. */
@ConfigMapping(prefix = "hangar.storage")
public interface StorageConfig {

    /** Which S3 we talk to (STORAGE_BACKEND). */
    enum Backend {
        /** Any S3-compatible server at {@link #endpoint()}: static keys, path-style addressing. */
        MINIO,
        /** AWS S3: the default credentials chain, virtual-hosted addressing, no endpoint override. */
        S3
    }

    /** {@code minio} or {@code s3} (STORAGE_BACKEND). */
    @WithDefault("minio")
    Backend backend();

    /** The S3 endpoint for the minio backend (MINIO_STORAGE_ENDPOINT). */
    @WithDefault("http://127.0.0.1:9000")
    String endpoint();

    /** Access key for the minio backend (MINIO_STORAGE_ACCESS_KEY). */
    @WithDefault("local-access-key")
    String accessKey();

    /** Secret key for the minio backend (MINIO_STORAGE_SECRET_KEY). */
    @WithDefault("local-secret-key")
    String secretKey();

    /** The bucket whose root is {@code /artifacts/} (ARTIFACTS_BUCKET). */
    @WithDefault("hangar-artifacts")
    String bucket();

    /** The bucket's region (ARTIFACTS_REGION). */
    @WithDefault("us-east-1")
    String region();

    /**
     * The token every caller sends in {@code X-Hangar-Internal-Token} (HANGAR_INTERNAL_TOKEN, the same on
     * every service); the service refuses to start on the built-in one outside dev/test.
     */
    String internalToken();
}
