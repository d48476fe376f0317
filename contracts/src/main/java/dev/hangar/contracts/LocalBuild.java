package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A processor image built on an executor host by {@code hangar build} and not pushed: its
 * timestamped tag and its local image id. {@code --build} runs the newest one, by image id
 * (immutable, unlike the tag), on the engine that built it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LocalBuild(String tag, String imageId, Instant builtAt) {
    static final Pattern TAG = Pattern.compile("[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+:[A-Za-z0-9_.-]{1,128}");

    /** Throws ERR_BAD_REQUEST naming what is malformed. */
    public LocalBuild requireWellFormed() {
        ContentId.require("image_id", imageId, ErrorCode.ERR_BAD_REQUEST);
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "tag must be repository:tag, got " + tag);
        }
        return this;
    }

    public static boolean isImageId(String image) {
        return ContentId.isValid(image);
    }
}
