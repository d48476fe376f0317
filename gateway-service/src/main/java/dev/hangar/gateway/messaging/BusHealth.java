package dev.hangar.gateway.messaging;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Whether Kafka takes this replica's records, as the outbox relay last saw it. While it does not,
 * new submissions are refused with 503 rather than accepted into an outbox that cannot drain;
 * runs already accepted stay in the outbox and go out when Kafka is back.
 */
@ApplicationScoped
public class BusHealth {
    private static final Logger LOG = Logger.getLogger(BusHealth.class);

    private volatile String problem;

    void up() {
        if (problem != null) {
            LOG.info("Kafka takes records again; new submissions are accepted");
        }
        problem = null;
    }

    void down(String why) {
        if (problem == null) {
            LOG.warnf("Kafka does not take records (%s); new submissions get 503 until it does", why);
        }
        problem = why;
    }

    /** What is wrong with the bus, or empty while it takes records. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** Throws {@link ErrorCode#ERR_UNAVAILABLE} with what happened and what to do while Kafka is away. */
    public void requireUp() {
        String why = problem;
        if (why != null) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "Kafka, the run bus, is not taking records (" + why
                    + "), so this run was not accepted and nothing was started: retry in a few seconds. Runs accepted "
                    + "earlier (202) are kept and will be sent when Kafka is back.");
        }
    }

    /** A failure as one readable phrase: the first message in its causes, or its type. */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return c.getClass().getSimpleName() + ": " + c.getMessage();
            }
        }
        return t == null ? "unknown failure" : t.getClass().getSimpleName();
    }
}
