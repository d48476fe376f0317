package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * Who may change the catalogue. A namespace belongs to the owner that first registered a version
 * in it and to owners an admin granted it to; a version's pinned digest changes only by an
 * explicit override of a namespace owner, and each override is kept.
 */
public final class Catalogue {
    /** The query parameter of a register or pin that replaces an already pinned digest on purpose. */
    public static final String OVERRIDE_PARAM = "override";

    private Catalogue() {}

    /** {@code GET /v1/namespaces/{ns}/owners}: {@code granted_by} is absent for the owner that created it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NamespaceOwner(String namespace, String owner, String grantedBy, Instant grantedAt) {}

    /** {@code GET /v1/processors/{ns}/{name}/versions/{v}/overrides}: one deliberate repin, who did it and when. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PinOverride(ProcessorRef ref, Platform platform, String previousDigest, String digest, String owner, Instant at) {}
}
