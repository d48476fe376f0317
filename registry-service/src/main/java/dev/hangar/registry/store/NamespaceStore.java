package dev.hangar.registry.store;

import dev.hangar.contracts.Catalogue;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.kit.config.Blocking;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Namespace owners and the log of deliberate repins: the SQL behind catalogue ownership. */
@ApplicationScoped
public class NamespaceStore {
    private final AgroalDataSource dataSource;

    public NamespaceStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Lets {@code owner} change {@code namespace}: claims a namespace nobody owns yet (the first
     * register), accepts one of its owners, and refuses everyone else with 403 ERR_NAMESPACE_FORBIDDEN.
     * An advisory lock per namespace makes two first pushes by different owners agree on one.
     */
    public void requireWriter(String namespace, String owner) {
        Blocking.require("NamespaceStore.requireWriter");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('ns:' || ?))")) {
                    lock.setString(1, namespace);
                    lock.execute();
                }
                List<String> owners = ownerNames(c, namespace);
                if (owners.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO namespace_owner (namespace, owner) VALUES (?, ?)")) {
                        ps.setString(1, namespace);
                        ps.setString(2, owner);
                        ps.executeUpdate();
                    }
                }
                c.commit();
                if (!owners.isEmpty() && !owners.contains(owner)) {
                    throw new HangarException(ErrorCode.ERR_NAMESPACE_FORBIDDEN, "namespace '" + namespace
                            + "' belongs to another owner; push under a namespace of your own, or ask an admin to grant it "
                            + "(PUT /v1/namespaces/" + namespace + "/owners/" + owner + ")");
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw ProcessorStore.failure("check the owners of " + namespace, e);
        }
    }

    public List<Catalogue.NamespaceOwner> owners(String namespace) {
        Blocking.require("NamespaceStore.owners");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT owner, granted_by, granted_at FROM namespace_owner WHERE namespace = ? ORDER BY granted_at, owner")) {
            ps.setString(1, namespace);
            List<Catalogue.NamespaceOwner> list = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new Catalogue.NamespaceOwner(namespace, rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
                }
            }
            return list;
        } catch (SQLException e) {
            throw ProcessorStore.failure("list the owners of " + namespace, e);
        }
    }

    /** An admin's grant (idempotent). */
    public Catalogue.NamespaceOwner grant(String namespace, String owner, String grantedBy) {
        Blocking.require("NamespaceStore.grant");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO namespace_owner (namespace, owner, granted_by) VALUES (?, ?, ?) "
                        + "ON CONFLICT (namespace, owner) DO UPDATE SET owner = EXCLUDED.owner RETURNING granted_by, granted_at")) {
            ps.setString(1, namespace);
            ps.setString(2, owner);
            ps.setString(3, grantedBy);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Catalogue.NamespaceOwner(namespace, owner, rs.getString(1), rs.getTimestamp(2).toInstant());
            }
        } catch (SQLException e) {
            if ("23514".equals(e.getSQLState())) {
                throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "owner '" + owner + "' must match [a-z0-9][a-z0-9._-]{0,63}");
            }
            throw ProcessorStore.failure("grant " + namespace + " to " + owner, e);
        }
    }

    /** Removes one owner; true when it was one. */
    public boolean revoke(String namespace, String owner) {
        Blocking.require("NamespaceStore.revoke");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM namespace_owner WHERE namespace = ? AND owner = ?")) {
            ps.setString(1, namespace);
            ps.setString(2, owner);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw ProcessorStore.failure("revoke " + owner + " from " + namespace, e);
        }
    }

    public void recordOverride(ProcessorRef ref, Platform platform, String previous, String digest, String owner) {
        Blocking.require("NamespaceStore.recordOverride");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO pin_override (namespace, name, version, platform, previous_digest, digest, owner) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, ref.namespace());
            ps.setString(2, ref.name());
            ps.setInt(3, ref.version());
            ps.setString(4, platform.wire());
            ps.setString(5, previous);
            ps.setString(6, digest);
            ps.setString(7, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw ProcessorStore.failure("record the override of " + ref, e);
        }
    }

    public List<Catalogue.PinOverride> overrides(ProcessorRef ref) {
        Blocking.require("NamespaceStore.overrides");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT platform, previous_digest, digest, owner, at FROM pin_override WHERE namespace = ? AND name = ? "
                        + "AND version = ? ORDER BY id")) {
            ps.setString(1, ref.namespace());
            ps.setString(2, ref.name());
            ps.setInt(3, ref.version());
            List<Catalogue.PinOverride> list = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new Catalogue.PinOverride(ref, Platform.fromWire(rs.getString(1)), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getTimestamp(5).toInstant()));
                }
            }
            return list;
        } catch (SQLException e) {
            throw ProcessorStore.failure("list the overrides of " + ref, e);
        }
    }

    private static List<String> ownerNames(Connection c, String namespace) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner FROM namespace_owner WHERE namespace = ?")) {
            ps.setString(1, namespace);
            List<String> owners = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    owners.add(rs.getString(1));
                }
            }
            return owners;
        }
    }
}
