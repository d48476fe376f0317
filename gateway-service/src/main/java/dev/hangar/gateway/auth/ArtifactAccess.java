package dev.hangar.gateway.auth;

import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.kit.config.Blocking;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Which artefacts an owner may read or use: the attachments it uploaded (by content id, recorded
 * at upload) and the outputs its own runs produced (the paths in their envelopes). Anything else
 * is answered as if it did not exist (404), so another owner learns nothing, not even that a path
 * is taken.
 */
@ApplicationScoped
public class ArtifactAccess {
    private final AgroalDataSource db;

    public ArtifactAccess(AgroalDataSource db) {
        this.db = db;
    }

    /** Notes that {@code owner} uploaded the attachment with this content id. */
    public void recordUpload(String cid, String owner) {
        Blocking.require("ArtifactAccess.recordUpload");
        sql("INSERT INTO attachment_owners (cid, owner) VALUES (?, ?) ON CONFLICT DO NOTHING", ps -> {
            ps.setString(1, cid);
            ps.setString(2, owner);
            ps.executeUpdate();
            return null;
        });
    }

    /** 404 ERR_ARTIFACT_NOT_FOUND unless {@code owner} may read {@code path} (an {@code /artifacts/...} path). */
    public void requireReadable(String path, String owner) {
        Blocking.require("ArtifactAccess.requireReadable");
        String cid = Attachments.cid(path);
        boolean mine = cid != null ? uploaded(cid, owner) : producedBy(path, owner);
        if (!mine) {
            throw new HangarException(ErrorCode.ERR_ARTIFACT_NOT_FOUND, "no artefact of yours is stored at " + path);
        }
    }

    /** 404 ERR_ARTIFACT_NOT_FOUND unless every attachment a run names was uploaded by {@code owner}. */
    public void requireAttachable(Map<String, String> attachments, String owner) {
        if (attachments == null) {
            return;
        }
        attachments.forEach((name, path) -> {
            Attachments.containerPath(name, path); // a malformed path is ERR_ATTACHMENT_INVALID, as at submission
            String cid = Attachments.cid(path);
            if (!uploaded(cid, owner)) {
                throw new HangarException(ErrorCode.ERR_ARTIFACT_NOT_FOUND, "attachment '" + name + "': no upload of yours is stored at "
                        + path + "; upload it with POST /v1/attachments first");
            }
        });
    }

    private boolean uploaded(String cid, String owner) {
        return sql("SELECT 1 FROM attachment_owners WHERE cid = ? AND owner = ?", ps -> {
            ps.setString(1, cid);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    private boolean producedBy(String path, String owner) {
        return sql("SELECT 1 FROM runs WHERE owner = ? AND envelope IS NOT NULL AND (envelope->>'index_path' = ? "
                + "OR envelope->'outputs' @> ?::jsonb) LIMIT 1", ps -> {
            ps.setString(1, owner);
            ps.setString(2, path);
            ps.setString(3, Json.write(List.of(Map.of("path", path))));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    private interface Query<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    private <T> T sql(String sql, Query<T> query) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return query.run(ps);
        } catch (SQLException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the gateway database is unavailable: " + e.getMessage(), e);
        }
    }
}
