package dev.hangar.storage.s3;

import dev.hangar.storage.config.StorageConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 client and presigner, built on the builders quarkus-amazon-s3 prepares (HTTP client,
 * region) with the backend chosen by STORAGE_BACKEND applied on top.
 */
@ApplicationScoped
public class S3Clients {

    /** Replaces the extension's S3Configuration: S3-compatible servers want path-style addressing. */
    private static final S3Configuration PATH_STYLE = S3Configuration.builder().pathStyleAccessEnabled(true).build();

    @Produces
    @Singleton
    S3Client s3Client(S3ClientBuilder builder, StorageConfig config) {
        builder.region(Region.of(config.region()));
        if (config.backend() == StorageConfig.Backend.MINIO) {
            builder.endpointOverride(URI.create(config.endpoint()))
                    .credentialsProvider(credentials(config))
                    .serviceConfiguration(PATH_STYLE)
                    // S3-compatible servers differ in their support for the SDK's default
                    // CRC32 trailers; send and check checksums only where S3 requires them.
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    @Produces
    @Singleton
    S3Presigner s3Presigner(S3Presigner.Builder builder, StorageConfig config) {
        builder.region(Region.of(config.region()));
        if (config.backend() == StorageConfig.Backend.MINIO) {
            builder.endpointOverride(URI.create(config.endpoint()))
                    .credentialsProvider(credentials(config))
                    .serviceConfiguration(PATH_STYLE);
        }
        return builder.build();
    }

    private static StaticCredentialsProvider credentials(StorageConfig config) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    }
}
