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

    public Plan set(String key, double limit) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO plans (key, credit_limit) VALUES (?, ?) "
                + "ON CONFLICT (key) DO UPDATE SET credit_limit = EXCLUDED.credit_limit, updated_at = now()")) {
            ps.setString(1, key);
            ps.setDouble(2, limit);
            ps.executeUpdate();
            return find(c, key).orElseThrow();
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public Optional<Plan> find(String key) {
        try (Connection c = db.getConnection()) {
            return find(c, key);
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public List<Plan> list() {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT key FROM plans ORDER BY key");
             ResultSet rs = ps.executeQuery()) {
            var plans = new ArrayList<Plan>();
            while (rs.next()) {
                plans.add(find(c, rs.getString(1)).orElseThrow());
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
    static void reserve(Connection c, String key, double ceiling, double defaultLimit) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO plans (key, credit_limit) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, key);
            ps.setDouble(2, defaultLimit);
            ps.executeUpdate();
        }
        try (var lock = c.prepareStatement("SELECT 1 FROM plans WHERE key = ? FOR UPDATE")) {
            lock.setString(1, key);
            lock.executeQuery().close();
        }
        Plan plan = find(c, key).orElseThrow();
        if (ceiling > plan.remaining()) {
            throw new HangarException(ErrorCode.ERR_BUDGET_EXCEEDED, String.format(java.util.Locale.ROOT,
                    "plan '%s' has %.6f of %.6f credits left (%.6f spent, %.6f held by running runs); this run may cost up to "
                            + "%.6f; raise the limit with `hangar plans set %s --limit N`", key, plan.remaining(), plan.limit(),
                    plan.spent(), plan.reserved(), ceiling, key));
        }
    }

    /** Turns a run's reservation into its actual cost, once. */
    static void charge(Connection c, String executionId, double cost) throws SQLException {
        try (var ps = c.prepareStatement("UPDATE plans SET spent = spent + ?, updated_at = now() WHERE key = "
                + "(SELECT plan FROM runs WHERE execution_id = ? AND plan IS NOT NULL AND reserved > 0)")) {
            ps.setDouble(1, cost);
            ps.setString(2, executionId);
            ps.executeUpdate();
        }
        try (var ps = c.prepareStatement("UPDATE runs SET reserved = 0 WHERE execution_id = ?")) {
            ps.setString(1, executionId);
            ps.executeUpdate();
        }
    }

    private static Optional<Plan> find(Connection c, String key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT p.credit_limit, p.spent, COALESCE((SELECT sum(r.reserved) FROM runs r "
                + "WHERE r.plan = p.key), 0) FROM plans p WHERE p.key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Plan(key, rs.getDouble(1), rs.getDouble(2), rs.getDouble(3))) : Optional.empty();
            }
        }
    }
}
