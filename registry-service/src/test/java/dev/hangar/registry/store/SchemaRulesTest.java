package dev.hangar.registry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Platform;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * digest_pin's CHECK constraints, as PostgreSQL reads them back, are the contracts' rules: the
 * platforms are {@link Platform}'s wire values and the digest is {@link ContentId#PATTERN}. A new
 * platform or digest rule without a migration fails here.
 */
@QuarkusTest
class SchemaRulesTest {
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'::text");

    @Inject
    AgroalDataSource dataSource;

    @Test
    void pinnedPlatformsAreExactlyThePlatformEnum() throws Exception {
        var wire = Arrays.stream(Platform.values()).map(Platform::wire).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(wire, quoted(definition("digest_pin_platform_check")));
    }

    @Test
    void aPinnedDigestIsAContentId() throws Exception {
        assertEquals(Set.of("^" + ContentId.PATTERN.pattern() + "$"), quoted(definition("digest_pin_digest_check")));
    }

    private String definition(String constraint) throws SQLException {
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement("SELECT pg_get_constraintdef(oid) "
                + "FROM pg_constraint WHERE conrelid = 'digest_pin'::regclass AND conname = ?")) {
            ps.setString(1, constraint);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("digest_pin has no constraint " + constraint);
                }
                return rs.getString(1);
            }
        }
    }

    private static Set<String> quoted(String definition) {
        return QUOTED.matcher(definition).results().map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
    }
}
