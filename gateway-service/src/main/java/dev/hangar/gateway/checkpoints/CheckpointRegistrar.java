package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.RunStatus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Registers the checkpoints of training runs that ended. The trainer writes
 * {@code sampler_weights/<id>.hlora} and {@code weights/<id>/…} into its outputs; each becomes a
 * checkpoint row, and each {@code .hlora} is also copied to its content-addressed attachment path,
 * which a sampling run takes as its {@code adapter} (lm-protocol.md). It polls (every
 * {@code register-interval}) rather than hooks the event consumer: a run that ended while every
 * gateway was down, or whose copy failed, is registered on a later pass, and replicas never
 * register one run twice ({@link CheckpointStore#registerEnded}).
 */
@ApplicationScoped
public class CheckpointRegistrar {
    private static final Logger LOG = Logger.getLogger(CheckpointRegistrar.class);
    private static final Pattern SAMPLER = Pattern.compile("sampler_weights/([^/]+)\\.hlora");
    private static final Pattern WEIGHTS = Pattern.compile("weights/([^/]+)/(.+)");

    private final CheckpointStore store;
    private final Artefacts artefacts;
    private final CheckpointsConfig config;
    private ScheduledExecutorService timer;

    public CheckpointRegistrar(CheckpointStore store, Artefacts artefacts, CheckpointsConfig config) {
        this.store = store;
        this.artefacts = artefacts;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("checkpoint-registrar").daemon().unstarted(r));
        long every = config.registerInterval().toMillis();
        timer.scheduleWithFixedDelay(this::registerPass, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** One pass: every ended, unregistered training run and session save call (up to 50 each). */
    public int registerPass() {
        try {
            return store.registerEnded(50, this::checkpointsOf) + store.registerSessionSaves(null, 50, this::checkpointsOf);
        } catch (HangarException e) {
            LOG.debugf("checkpoint registration skipped: %s", e.getMessage()); // database or storage away; next pass
        } catch (RuntimeException e) {
            LOG.warn("checkpoint registration failed", e);
        }
        return 0;
    }

    /**
     * Registers the checkpoints of one ended save call of a training session now (its future's
     * answer waits for it, so a completed save is listed and loadable at once); a no-op when it
     * is registered already or still running. Failures are the caller's: the pass tries again.
     */
    public void registerSessionCall(String executionId) {
        store.registerSessionSaves(executionId, 1, this::checkpointsOf);
    }

    /**
     * The checkpoint's path, or null (logged) for an id the path rules refuse: a processor's output
     * name must not make its run's registration fail on every pass.
     */
    private static CheckpointPath path(CheckpointStore.Ended run, CheckpointPath.Kind kind, String id) {
        try {
            return new CheckpointPath(run.runId(), kind, id);
        } catch (HangarException e) {
            LOG.warnf("training run %s: output checkpoint '%s' skipped: %s", run.runId(), id, e.getMessage());
            return null;
        }
    }

    /** The checkpoints a training run's envelope names; none for a run that failed or was canceled. */
    List<CheckpointStore.NewCheckpoint> checkpointsOf(CheckpointStore.Ended run) {
        if (run.status() != RunStatus.SUCCESS || run.envelope() == null) {
            return List.of();
        }
        Envelope envelope = Json.read(run.envelope(), Envelope.class);
        String index = envelope.indexPath();
        if (index == null || !index.endsWith("/" + OutputIndex.FILE)) {
            return List.of();
        }
        String prefix = index.substring(0, index.length() - OutputIndex.FILE.length());
        var found = new ArrayList<CheckpointStore.NewCheckpoint>();
        Map<String, List<CheckpointStore.StoredFile>> weights = new LinkedHashMap<>();
        for (OutputRef out : envelope.outputs()) {
            if (!out.path().startsWith(prefix)) {
                continue;
            }
            String relative = out.path().substring(prefix.length());
            var sampler = SAMPLER.matcher(relative);
            var state = WEIGHTS.matcher(relative);
            if (sampler.matches()) {
                String name = sampler.group(1) + ".hlora";
                var path = path(run, CheckpointPath.Kind.SAMPLER_WEIGHTS, sampler.group(1));
                if (path == null) {
                    continue;
                }
                String attachment = artefacts.copyAddressed(out.path(), name).path();
                found.add(new CheckpointStore.NewCheckpoint(path, run.owner(), run.baseModel(), run.lora(),
                        List.of(new CheckpointStore.StoredFile(name, out.path(), out.sizeBytes())), attachment));
            } else if (state.matches() && path(run, CheckpointPath.Kind.WEIGHTS, state.group(1)) != null) {
                weights.computeIfAbsent(state.group(1), k -> new ArrayList<>())
                        .add(new CheckpointStore.StoredFile(state.group(2), out.path(), out.sizeBytes()));
            }
        }
        weights.forEach((id, files) -> found.add(new CheckpointStore.NewCheckpoint(
                new CheckpointPath(run.runId(), CheckpointPath.Kind.WEIGHTS, id), run.owner(), run.baseModel(), run.lora(), files, null)));
        LOG.infof("%s: %d checkpoint(s) registered", run.runId(), found.size());
        return found;
    }
}
