package dev.hangar.gateway.store;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Plan;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Budget plans. A run reserves its worst-case cost when it is accepted, under a row lock on
 * its plan, so concurrent submissions cannot overspend; the reservation becomes the actual cost
 * when its envelope arrives.
 */
@ApplicationScoped
public class PlanStore {
    private final AgroalDataSource db;

    public PlanStore(AgroalDataSource db) {
        this.db = db;
    }

    public Plan set(String owner, String key, double limit) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO plans (owner, key, credit_limit) "
                + "VALUES (?, ?, ?) ON CONFLICT (owner, key) DO UPDATE SET credit_limit = EXCLUDED.credit_limit, updated_at = now()")) {
            ps.setString(1, owner);
            ps.setString(2, key);
            ps.setDouble(3, limit);
            ps.executeUpdate();
            return find(c, owner, key).orElseThrow();
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public Optional<Plan> find(String owner, String key) {
        try (Connection c = db.getConnection()) {
            return find(c, owner, key);
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public List<Plan> list(String owner) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(SELECT + "WHERE p.owner = ? ORDER BY p.key")) {
            ps.setString(1, owner);
            var plans = new ArrayList<Plan>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plans.add(plan(rs));
                }
            }
            return plans;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /**
     * Checks and holds {@code ceiling} credits on the plan (creating it with {@code defaultLimit}),
     * inside the caller's transaction; throws ERR_BUDGET_EXCEEDED when it does not fit.
     */
    static void reserve(Connection c, String owner, String key, double ceiling, double defaultLimit) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO plans (owner, key, credit_limit) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, owner);
            ps.setString(2, key);
            ps.setDouble(3, defaultLimit);
            ps.executeUpdate();
        }
        try (var lock = c.prepareStatement("SELECT 1 FROM plans WHERE owner = ? AND key = ? FOR UPDATE")) {
            lock.setString(1, owner);
            lock.setString(2, key);
            lock.executeQuery().close();
        }
        Plan plan = find(c, owner, key).orElseThrow();
        if (ceiling > plan.remaining()) {
            throw new HangarException(ErrorCode.ERR_BUDGET_EXCEEDED, String.format(java.util.Locale.ROOT,
                    "plan '%s' has %.6f of %.6f credits left (%.6f spent, %.6f held by running runs); this run may cost up to "
                            + "%.6f; raise the limit with `hangar plans set %s --limit N`", key, plan.remaining(), plan.limit(),
                    plan.spent(), plan.reserved(), ceiling, key));
        }
    }

    /** Turns a run's reservation into its actual cost, once. */
    static void charge(Connection c, String executionId, double cost) throws SQLException {
        try (var ps = c.prepareStatement("UPDATE plans p SET spent = spent + ?, updated_at = now() FROM runs r "
                + "WHERE r.execution_id = ? AND r.reserved > 0 AND p.key = r.plan AND p.owner = r.owner")) {
            ps.setDouble(1, cost);
            ps.setString(2, executionId);
            ps.executeUpdate();
        }
        try (var ps = c.prepareStatement("UPDATE runs SET reserved = 0 WHERE execution_id = ?")) {
            ps.setString(1, executionId);
            ps.executeUpdate();
        }
    }

    private static Optional<Plan> find(Connection c, String owner, String key) throws SQLException {
        try (var ps = c.prepareStatement(SELECT + "WHERE p.owner = ? AND p.key = ?")) {
            ps.setString(1, owner);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(plan(rs)) : Optional.empty();
            }
        }
    }

    /** A plan with what its unfinished runs hold. */
    private static final String SELECT = "SELECT p.key, p.credit_limit, p.spent, COALESCE((SELECT sum(r.reserved) FROM runs r "
            + "WHERE r.plan = p.key AND r.owner = p.owner), 0) FROM plans p ";

    private static Plan plan(ResultSet rs) throws SQLException {
        return new Plan(rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
    }
}
