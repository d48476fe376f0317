package dev.hangar.registry.store;

import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.kit.config.Blocking;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Local build tags per processor version; the newest wins. */
@ApplicationScoped
public class BuildStore {
    private final AgroalDataSource dataSource;

    public BuildStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public LocalBuild record(ProcessorRef ref, LocalBuild build) {
        Blocking.require("BuildStore.record");
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement("INSERT INTO local_build "
                + "(namespace, name, version, tag, image_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (namespace, name, version, tag) "
                + "DO UPDATE SET image_id = EXCLUDED.image_id, built_at = now()")) {
            ps.setString(1, ref.namespace());
            ps.setString(2, ref.name());
            ps.setInt(3, ref.version());
            ps.setString(4, build.tag());
            ps.setString(5, build.imageId());
            ps.executeUpdate();
            return newest(ref).orElseThrow();
        } catch (SQLException e) {
            throw ProcessorStore.failure("record a local build of " + ref, e);
        }
    }

    public Optional<LocalBuild> newest(ProcessorRef ref) {
        Blocking.require("BuildStore.newest");
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement("SELECT tag, image_id, built_at FROM local_build "
                + "WHERE namespace = ? AND name = ? AND version = ? ORDER BY built_at DESC, tag DESC LIMIT 1")) {
            ps.setString(1, ref.namespace());
            ps.setString(2, ref.name());
            ps.setInt(3, ref.version());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new LocalBuild(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw ProcessorStore.failure("read the local builds of " + ref, e);
        }
    }
}
