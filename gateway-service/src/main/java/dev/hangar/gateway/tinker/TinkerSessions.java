package dev.hangar.gateway.tinker;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.training.TrainingStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Pattern;

/** Tinker's client sessions: made by create_session, kept alive (with every model made in them) by session_heartbeat. */
@ApplicationScoped
public class TinkerSessions {
    static final Pattern ID = Pattern.compile("tc_[a-z0-9]{24}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private final TrainingStore store;
    private final TinkerStore tinker;

    public TinkerSessions(TrainingStore store, TinkerStore tinker) {
        this.store = store;
        this.tinker = tinker;
    }

    /**
     * A new client session, or, for an idempotency key ({@link TinkerResource#keyOf}) this owner
     * already used, the session that key made: a retried create_session does not make a second one.
     */
    String create(String owner, List<String> tags, String key) {
        if (key != null) {
            var earlier = tinker.clientByKey(owner, key);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        String id = newId("tc_");
        if (!tinker.insertClient(id, owner, tags == null ? null : String.join(",", tags), key)) {
            return tinker.clientByKey(owner, key).orElseThrow(); // a concurrent twin with the same key won
        }
        return id;
    }

    static String newId(String prefix) {
        var id = new StringBuilder(prefix);
        for (int i = 0; i < 24; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
        }
        return id.toString();
    }

    /** The owner's client session id, or ERR_SESSION_NOT_FOUND. */
    String require(String owner, String id) {
        if (id == null || !ID.matcher(id).matches() || !store.clientExists(id, owner)) {
            throw notFound(id);
        }
        return id;
    }

    void heartbeat(String owner, String id) {
        if (id == null || !ID.matcher(id).matches() || !store.heartbeatClient(id, owner)) {
            throw notFound(id);
        }
    }

    private static HangarException notFound(String id) {
        return new HangarException(ErrorCode.ERR_SESSION_NOT_FOUND, "no session has the id '" + id
                + "' (or it is not yours); create one with create_session");
    }
}
