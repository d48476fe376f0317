package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * API tokens managed through {@code /v1/tokens}: each has an id, a name its owner chose and
 * scopes. The token itself is shown once, in {@link Created}; only its hash is stored, and no
 * listing ever shows either.
 */
public final class ApiToken {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");

    private ApiToken() {}

    /**
     * What a token may do: {@code read} GETs and streams, {@code run} submitting and canceling runs,
     * plans, secrets and pushing processors, {@code admin} other owners' tokens, catalogue grants
     * and {@code keep_container}.
     */
    public enum Scope {
        READ, RUN, ADMIN;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        public static Scope fromWire(String value) {
            return WireEnums.parse(Scope.class, "scopes", value);
        }

        public static String allowed() {
            return WireEnums.allowed(Scope.class);
        }
    }

    /** Body of {@code POST /v1/tokens}; {@code owner} (another owner than the caller's) only for admins. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Create(String name, List<Scope> scopes, String owner) {
        /** ERR_BAD_REQUEST unless the name is 1-64 plain characters and at least one scope is named. */
        public Create requireValid() {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a token name must be 1-64 letters, digits, spaces, "
                        + "'.', '_' or '-', starting with a letter or digit; got '" + name + "'");
            }
            if (scopes == null || scopes.isEmpty() || scopes.contains(null)) {
                throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "name at least one scope among " + Scope.allowed());
            }
            return this;
        }
    }

    /** The answer to a create: the only time the token is shown. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Created(String id, String owner, String name, List<Scope> scopes, String token, Instant createdAt) {
        @Override
        public String toString() {
            return "ApiToken.Created[id=" + id + ", owner=" + owner + ", name=" + name + ", scopes=" + scopes + ", token=**redacted**]";
        }
    }

    /** A token as listed: never the token or its hash. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Info(String id, String owner, String name, List<Scope> scopes, Instant createdAt, Instant lastUsedAt) {}
}
