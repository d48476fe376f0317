package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How outputs are put while S3 is unreachable or failing (docs/delivery.md). */
@ConfigMapping(prefix = "hangar.artifacts.upload")
public interface UploadConfig {

    /** How often one output is put before the run fails with ERR_UPLOAD_FAILED. */
    @WithDefault("4")
    int attempts();

    /** The pause after the first failed put; each further one doubles. */
    @WithDefault("1s")
    Duration backoff();

    /** Four tries, 1 s then 2 s then 4 s apart (about 7 s in all, plus the S3 client's own quick retries). */
    UploadConfig DEFAULTS = new UploadConfig() {
        @Override
        public int attempts() {
            return 4;
        }

        @Override
        public Duration backoff() {
            return Duration.ofSeconds(1);
        }
    };
}
