package dev.hangar.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.AdapterOptions;
import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.Cost;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Plan;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.SpecValidator;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.gateway.client.ProcessorSpecs;
import dev.hangar.gateway.client.RegistryClient;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.deploy.DeploymentService;
import dev.hangar.gateway.messaging.BusHealth;
import dev.hangar.gateway.messaging.OutboxRelay;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.store.SecretStore;
import dev.hangar.gateway.tracing.RunContext;
import dev.hangar.gateway.tracing.Traceparent;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Set;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Turns a {@code POST /v1/runs} into a queued run: every check first, then the run row and its
 * command in one transaction (the outbox), then a wake of the relay that puts the command on the
 * bus once its owner has a free slot. A run is never queued without its command, and no command
 * exists without its run; a submission never waits for Kafka.
 */
@ApplicationScoped
public class RunSubmissionService {

    private final RegistryClient registry;
    private final ProcessorSpecs specs;
    private final RunStore store;
    private final OutboxRelay relay;
    private final BusHealth bus;
    private final GatewayConfig config;
    private final SecretStore secrets;
    private final DeploymentService deployments;
    private final SubmitAdmission admission;
    private final RemotePools pools;

    public RunSubmissionService(@RestClient RegistryClient registry, ProcessorSpecs specs, RunStore store, OutboxRelay relay, BusHealth bus,
                                GatewayConfig config, SecretStore secrets, SubmitAdmission admission, RemotePools pools,
                                DeploymentService deployments) {
        this.pools = pools;
        this.secrets = secrets;
        this.deployments = deployments;
        this.admission = admission;
        this.registry = registry;
        this.specs = specs;
        this.store = store;
        this.relay = relay;
        this.bus = bus;
        this.config = config;
    }

    /** The run that stands for a request; {@code created} is false when an idempotency key matched an earlier one. */
    public record Submission(RunAccepted run, boolean created) {}

    /**
     * A run that is a training session's call (docs/training-sessions.md): keyed on Kafka by the
     * session, held in the outbox while the session's previous call is in flight, and marked as
     * the session's last when {@code end}.
     */
    public record Affinity(String session, String op, boolean end) {}

    public Submission submit(RunRequest request, String owner) {
        return submit(request, owner, null);
    }

    public Submission submit(RunRequest request, String owner, Affinity affinity) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the request body is empty; send a RunRequest JSON object");
        }
        ProcessorRef ref = ProcessorRef.parse(request.ref());
        Adapter adapter = request.adapter() == null ? Adapter.DEFAULT : request.adapter();
        Mode mode = request.mode() == null ? Mode.DEFAULT : request.mode();
        Platform platform = request.platform() == null ? config.defaultPlatform() : request.platform();
        String writePrefix = WritePrefix.validate(request.writePrefix());
        JsonNode inputs = request.inputs() == null ? Json.MAPPER.createObjectNode() : request.inputs();
        if (!inputs.isObject()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "inputs must be a JSON object, not " + inputs.getNodeType());
        }
        if (request.adapterOpts() != null && !request.adapterOpts().isObject()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "adapter_opts must be a JSON object");
        }
        // --build runs the newest local build, by image id; a remote backend has none (the CLI warns)
        boolean build = Boolean.TRUE.equals(request.build()) && adapter == Adapter.LOCAL;
        AdapterOptions options = AdapterOptions.parse(request.adapterOpts());
        var pool = adapter == Adapter.REMOTE ? pools.route(options) : null;
        ProcessorSpec.Resources.requireTimeout("timeout_seconds", request.timeoutSeconds());
        String idempotencyKey = RunRequest.requireIdempotencyKey(request.idempotencyKey());
        String plan = request.plan() == null ? null : Plan.requireKey(request.plan());
        if (idempotencyKey != null) {
            var earlier = store.findIdempotent(owner, idempotencyKey);
            if (earlier.isPresent()) {
                return new Submission(accepted(earlier.get(), owner, false), false);
            }
        }
        ProcessorSpec spec = specs.get(ref);
        var resolved = Attachments.resolve(inputs, request.attachments());
        SpecValidator.requireValidInputs(spec, resolved.inputs());
        String env = request.env() == null ? null : Deploy.requireEnv(request.env());
        if (env != null && build) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "--build runs a local build, --env a deployment's bound digest; "
                    + "choose one");
        }
        // a run in an environment runs that deployment's bound digest (docs/deploy.md)
        String image = env != null ? deployedImage(ref, env, owner) : build ? Remote.call(RegistryClient.NAME,
                () -> registry.latestBuild(ref.namespace(), ref.name(), ref.version()).imageId()) : spec.pinnedImage(platform);
        if (mode == Mode.REAL) {
            requireSecrets(spec, owner, env == null ? SecretStore.NO_ENV : env);
        }
        var limits = options.applyTo(spec.runtime(), request.timeoutSeconds());

        String executionId = ExecutionIds.next();
        RunContext.tag(executionId);
        String traceparent = traceparent();
        var command = new RunRequested(RunRequested.SCHEMA_VERSION, executionId, 1, Instant.now(), traceparent,
                ref, adapter, mode, platform, writePrefix, inputs, withCapacityWait(request.adapterOpts(), pool), build, image,
                request.timeoutSeconds(), request.attachments(), plan, owner,
                affinity == null ? null : affinity.session(), affinity == null ? null : affinity.end());
        bus.requireUp(); // refuse while Kafka is away rather than queue what cannot be sent
        admission.requireRoom(owner);
        var existing = store.insertQueued(new RunStore.NewRun(owner, executionId, ref, adapter, mode, idempotencyKey, plan,
                Cost.ceiling(limits), config.defaultPlanLimit(), limits.timeoutSeconds(), Json.write(command), traceparent,
                affinity == null ? null : affinity.session(), affinity == null ? null : affinity.op(),
                pool == null ? null : pool.name(), pool == null ? null : pool.waitSeconds(), env));
        if (existing.isPresent()) {
            return new Submission(accepted(existing.get(), owner, false), false);
        }
        // The run and its command are committed together; the relay sends it when the owner has a
        // slot free and keeps trying while Kafka does not take it, so the 202 holds either way.
        admission.accepted(owner);
        relay.wake(owner);
        return new Submission(accepted(executionId, owner, true), true);
    }

    /**
     * A remote run's options as its executor gets them: with the capacity wait this gateway applies
     * ({@code capacity_wait_seconds}, counted from the command's {@code created_at}), so a backend
     * that queues the run itself (Slurm) ends it at the same deadline, naming its own reason.
     */
    private static JsonNode withCapacityWait(JsonNode options, RemotePools.Route pool) {
        if (pool == null) {
            return options;
        }
        var copy = options == null ? Json.MAPPER.createObjectNode() : ((com.fasterxml.jackson.databind.node.ObjectNode) options).deepCopy();
        return copy.put("capacity_wait_seconds", pool.waitSeconds());
    }

    /** {@code fresh} is false when an idempotency key matched an earlier run. */
    private RunAccepted accepted(String executionId, String owner, boolean fresh) {
        String runUrl = config.publicUrl() + "/v1/runs/" + executionId;
        RunStatus status = fresh ? RunStatus.QUEUED : store.status(executionId, owner).orElse(RunStatus.QUEUED);
        return new RunAccepted(executionId, status, runUrl, runUrl.replaceFirst("^http", "ws") + "/stream");
    }

    /** Real mode needs every secret the spec names; say which are missing, never a value. */
    private void requireSecrets(ProcessorSpec spec, String owner, String env) {
        var stored = Set.copyOf(secrets.names(owner, env));
        var missing = spec.secrets().stream().filter(name -> !stored.contains(name)).toList();
        if (!missing.isEmpty()) {
            throw new HangarException(ErrorCode.ERR_MISSING_SECRET, spec.ref() + " in real mode needs the secret(s) "
                    + String.join(", ", missing) + (env.isEmpty() ? "; set each with `hangar secrets set NAME`"
                    : " in " + env + "; set them with `hangar deploy sync-secrets --ref " + spec.ref() + " --env " + env + "`")
                    + " (the run was not started)");
        }
    }

    /** The bound image of the caller's deployment of {@code ref} in {@code env} (dev: the caller's newest). */
    private String deployedImage(ProcessorRef ref, String env, String owner) {
        return deployments.locate(ref.toString(), env, null, owner).image();
    }

    /** The current (REST) span's W3C context, so the executor continues this trace and every event correlates. */
    private static String traceparent() {
        return Traceparent.current();
    }
}
