package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wire contract as documented in docs/contract.md: each golden file must parse into its
 * record and serialise back to the same JSON tree, so neither side can drift; and every wire
 * record of this package has a golden file (or is a documented part of one that has).
 */
class GoldenJsonTest {

    static final Map<String, Class<?>> GOLDEN = Map.ofEntries(
            Map.entry("run-request.json", RunRequest.class),
            Map.entry("run-accepted.json", RunAccepted.class),
            Map.entry("run-requested.json", RunRequested.class),
            Map.entry("run-requested-owner.json", RunRequested.class),
            Map.entry("run-summary.json", RunSummary.class),
            Map.entry("run-detail-running.json", RunDetail.class),
            Map.entry("run-detail-success.json", RunDetail.class),
            Map.entry("run-detail-queued.json", RunDetail.class),
            Map.entry("run-detail-queued-pool.json", RunDetail.class),
            Map.entry("run-detail-queued-backend.json", RunDetail.class),
            Map.entry("run-control.json", RunControl.class),
            Map.entry("run-control-accepted.json", RunControl.Accepted.class),
            Map.entry("run-event-queued.json", RunEvent.class),
            Map.entry("run-event-queued-backend.json", RunEvent.class),
            Map.entry("run-event-started.json", RunEvent.class),
            Map.entry("run-event-log.json", RunEvent.class),
            Map.entry("run-event-token.json", RunEvent.class),
            Map.entry("run-event-progress.json", RunEvent.class),
            Map.entry("run-event-output.json", RunEvent.class),
            Map.entry("run-event-completed.json", RunEvent.class),
            Map.entry("run-event-failed.json", RunEvent.class),
            Map.entry("run-event-canceled.json", RunEvent.class),
            Map.entry("envelope-success.json", Envelope.class),
            Map.entry("envelope-error.json", Envelope.class),
            Map.entry("envelope-cli-error.json", Envelope.class),
            Map.entry("output-index.json", OutputIndex.class),
            Map.entry("output-ref.json", OutputRef.class),
            Map.entry("problem-input-invalid.json", Problem.class),
            Map.entry("processor-spec.json", ProcessorSpec.class),
            Map.entry("processor-spec-network.json", ProcessorSpec.class),
            Map.entry("processor-spec-warm.json", ProcessorSpec.class),
            Map.entry("processor-spec-cog.json", ProcessorSpec.class),
            Map.entry("plan.json", Plan.class),
            Map.entry("plan-limit.json", Plan.Limit.class),
            Map.entry("secret-value.json", SecretValue.class),
            Map.entry("secret-lookup.json", SecretValue.Lookup.class),
            Map.entry("secret-values.json", SecretValue.Values.class),
            Map.entry("digest-pin.json", DigestPin.class),
            Map.entry("local-build.json", LocalBuild.class),
            Map.entry("adapter-options.json", AdapterOptions.class),
            Map.entry("adapter-options-remote.json", AdapterOptions.class),
            Map.entry("artifact-page.json", ArtifactInfo.Page.class),
            Map.entry("presign-request.json", Presign.Request.class),
            Map.entry("presign-url.json", Presign.Url.class),
            Map.entry("session-login.json", Session.Login.class),
            Map.entry("session-info.json", Session.Info.class),
            Map.entry("api-token-create.json", ApiToken.Create.class),
            Map.entry("api-token-created.json", ApiToken.Created.class),
            Map.entry("api-token-info.json", ApiToken.Info.class),
            Map.entry("namespace-owner.json", Catalogue.NamespaceOwner.class),
            Map.entry("pin-override.json", Catalogue.PinOverride.class),
            Map.entry("attempt-claim.json", AttemptClaim.class),
            Map.entry("attempt-claim-request.json", AttemptClaim.Request.class),
            Map.entry("checkpoint.json", Checkpoint.class),
            Map.entry("checkpoint-page.json", Checkpoint.Page.class),
            Map.entry("checkpoint-ttl.json", Checkpoint.Ttl.class),
            Map.entry("checkpoint-ref.json", Checkpoint.Ref.class),
            Map.entry("checkpoint-archive.json", Checkpoint.Archive.class),
            Map.entry("training-run.json", TrainingRun.class),
            Map.entry("training-run-create.json", TrainingRun.Create.class),
            Map.entry("attempt-ended.json", AttemptClaim.Ended.class),
            Map.entry("sample-request.json", Sampling.Request.class),
            Map.entry("sample-request-text.json", Sampling.Request.class),
            Map.entry("sample-request-model-path.json", Sampling.Request.class),
            Map.entry("sample-response.json", Sampling.Response.class),
            Map.entry("base-models.json", Sampling.BaseModels.class),
            Map.entry("run-requested-session.json", RunRequested.class),
            Map.entry("training-create-session.json", Training.CreateSession.class),
            Map.entry("training-call.json", Training.Call.class),
            Map.entry("training-inputs.json", Training.Inputs.class),
            Map.entry("training-future.json", Training.Future.class),
            Map.entry("training-future-completed.json", Training.FutureResult.class),
            Map.entry("training-future-failed.json", Training.FutureResult.class),
            Map.entry("training-session-info.json", Training.SessionInfo.class),
            Map.entry("tinker-create-session-request.json", Tinker.CreateSessionRequest.class),
            Map.entry("tinker-create-session-response.json", Tinker.CreateSessionResponse.class),
            Map.entry("tinker-session-heartbeat-request.json", Tinker.SessionHeartbeatRequest.class),
            Map.entry("tinker-session-heartbeat-response.json", Tinker.SessionHeartbeatResponse.class),
            Map.entry("tinker-server-capabilities.json", Tinker.ServerCapabilities.class),
            Map.entry("tinker-create-model-request.json", Tinker.CreateModelRequest.class),
            Map.entry("tinker-untyped-future.json", Tinker.UntypedFuture.class),
            Map.entry("tinker-forward-backward-request.json", Tinker.ForwardBackwardRequest.class),
            Map.entry("tinker-optim-step-request.json", Tinker.OptimStepRequest.class),
            Map.entry("tinker-save-weights-request.json", Tinker.SaveWeightsRequest.class),
            Map.entry("tinker-load-weights-request.json", Tinker.LoadWeightsRequest.class),
            Map.entry("tinker-weights-info-request.json", Tinker.WeightsInfoRequest.class),
            Map.entry("tinker-weights-info-response.json", Tinker.WeightsInfoResponse.class),
            Map.entry("tinker-retrieve-future-request.json", Tinker.RetrieveFutureRequest.class),
            Map.entry("tinker-try-again.json", Tinker.TryAgain.class),
            Map.entry("tinker-request-failed.json", Tinker.RequestFailed.class),
            Map.entry("tinker-create-sampling-session-request.json", Tinker.CreateSamplingSessionRequest.class),
            Map.entry("tinker-create-sampling-session-response.json", Tinker.CreateSamplingSessionResponse.class),
            Map.entry("tinker-sample-request.json", Tinker.SampleRequest.class),
            Map.entry("tinker-checkpoints-list-response.json", Tinker.CheckpointsListResponse.class),
            Map.entry("tinker-training-runs-response.json", Tinker.TrainingRunsResponse.class),
            Map.entry("tinker-checkpoint-archive-url-response.json", Tinker.CheckpointArchiveUrlResponse.class),
            Map.entry("tinker-ttl-request.json", Tinker.TtlRequest.class),
            Map.entry("deploy-request.json", Deploy.Request.class),
            Map.entry("deploy-command.json", Deploy.Command.class),
            Map.entry("deploy-event.json", Deploy.Event.class),
            Map.entry("deployment.json", Deploy.Deployment.class),
            Map.entry("deploy-verify-request.json", Deploy.VerifyRequest.class),
            Map.entry("deploy-verify-report.json", Deploy.VerifyReport.class),
            Map.entry("deploy-secret-sync.json", Deploy.SecretSync.class),
            Map.entry("deploy-secret-report.json", Deploy.SecretReport.class),
            Map.entry("deploy-logs.json", Deploy.Logs.class));

    /**
     * Records that travel only inside one that has a golden file, or never as JSON ({@link WaitPreference}
     * is a header's value, tested by WaitPreferenceTest).
     */
    static final Set<Class<?>> PARTS = Set.of(WaitPreference.class, Envelope.Error.class, Envelope.Meta.class, Problem.FieldError.class,
            ProcessorSpec.Resources.class, ProcessorSpec.OutputDecl.class, ProcessorSpec.Network.class,
            ProcessorSpec.Network.Endpoint.class, ProcessorSpec.Retry.class, ProcessorSpec.Warm.class, ProcessorRef.class, ArtifactInfo.class,
            RunEvent.Queued.class, RunEvent.Started.class, RunEvent.Log.class, RunEvent.Token.class,
            RunEvent.Progress.class, RunEvent.Output.class, RunEvent.Completed.class, RunEvent.Failed.class,
            RunEvent.Canceled.class, Attachments.Resolved.class, RunQueue.class,
            Checkpoint.Lora.class, Checkpoint.Cursor.class, CheckpointPath.class, TrainingRun.Step.class,
            Sampling.ModelInput.class, Sampling.Chunk.class, Sampling.Params.class, Sampling.Sequence.class,
            Sampling.BaseModel.class,
            Training.LoraConfig.class, Tinker.SupportedModel.class, Tinker.ForwardBackwardInput.class, Tinker.AdamParams.class,
            Tinker.Cursor.class, Tinker.Checkpoint.class, Tinker.TrainingRun.class,
            Deploy.OciRef.class, Deploy.Placement.class, Deploy.LogLine.class);

    static Stream<Arguments> goldenFiles() {
        return GOLDEN.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void roundTripsExactly(String file, Class<?> type) throws IOException {
        JsonNode golden = read(file);
        Object parsed = Json.MAPPER.treeToValue(golden, type);
        JsonNode written = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(parsed));
        assertEquals(golden, written, file + " does not round-trip through " + type.getSimpleName());
    }

    @Test
    void everyWireRecordHasAGoldenFile() throws IOException, URISyntaxException {
        Path classes = Path.of(RunEvent.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/hangar/contracts");
        Set<String> records;
        try (var files = Files.list(classes)) {
            records = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> "dev.hangar.contracts." + n.substring(0, n.length() - ".class".length()))
                    .map(GoldenJsonTest::load).filter(Class::isRecord).map(Class::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> covered = Stream.concat(GOLDEN.values().stream(), PARTS.stream()).map(Class::getName)
                .collect(Collectors.toSet());
        records.removeAll(covered);
        assertEquals(Set.of(), records, "wire records without a golden file in src/test/resources/golden");
    }

    @Test
    void everyGoldenFileIsTested() throws IOException, URISyntaxException {
        Path dir = Path.of(GoldenJsonTest.class.getResource("/golden").toURI());
        try (var files = Files.list(dir)) {
            assertEquals(new TreeSet<>(GOLDEN.keySet()),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    @Test
    void everyEventTypeIsASubtypeByItsWireName() throws IOException {
        var seen = new TreeSet<String>();
        for (var entry : GOLDEN.entrySet()) {
            if (entry.getValue() == RunEvent.class) {
                JsonNode golden = read(entry.getKey());
                RunEvent event = Json.MAPPER.treeToValue(golden, RunEvent.class);
                assertEquals(golden.path("event").path("type").asText(), event.event().type().wire(), entry.getKey());
                seen.add(event.event().type().wire());
            }
        }
        assertEquals(Stream.of(RunEvent.Type.values()).map(RunEvent.Type::wire).collect(Collectors.toCollection(TreeSet::new)),
                seen, "each event type has a golden file");
    }

    @Test
    void terminalEventCarriesTheEnvelope() throws IOException {
        RunEvent event = Json.MAPPER.treeToValue(read("run-event-completed.json"), RunEvent.class);
        var completed = assertInstanceOf(RunEvent.Completed.class, event.event());
        assertEquals(RunStatus.SUCCESS, completed.envelope().status());
        assertTrue(event.event().type().terminal());
        assertEquals(62, completed.envelope().outputs().get(0).sizeBytes());
    }

    @Test
    void aFinishedRunDetailIsItsEnvelope() throws IOException {
        RunDetail detail = Json.MAPPER.treeToValue(read("run-detail-success.json"), RunDetail.class);
        Envelope envelope = Json.MAPPER.treeToValue(read("envelope-success.json"), Envelope.class);
        assertEquals(envelope, detail.envelope().orElseThrow());
        assertEquals(read("envelope-success.json"), Json.MAPPER.readTree(Json.write(detail)), "an ended run reads as its envelope, exactly");
        assertTrue(detail.summary().isEmpty());
        RunDetail running = Json.MAPPER.treeToValue(read("run-detail-running.json"), RunDetail.class);
        assertTrue(running.envelope().isEmpty());
        assertEquals(Json.MAPPER.treeToValue(read("run-summary.json"), RunSummary.class), running.summary().orElseThrow());
    }

    @Test
    void anEnvelopeMustEndARun() {
        var e = assertThrows(HangarException.class, () -> Json.read("{\"status\":\"running\",\"execution_id\":\"r-1\"}",
                Envelope.class));
        assertEquals(ErrorCode.ERR_BAD_REQUEST, e.code());
    }

    @Test
    void secretValuesNeverPrint() throws IOException {
        var values = Json.MAPPER.treeToValue(read("secret-values.json"), SecretValue.Values.class);
        assertTrue(!values.toString().contains("canary") && values.toString().contains("OPENAI_API_KEY"), values.toString());
    }

    @Test
    void unknownFieldsAreRefusedWithTheirName() {
        var e = assertThrows(HangarException.class,
                () -> Json.read("{\"ref\":\"examples/echo@1\",\"inputz\":{}}", RunRequest.class));
        assertEquals(ErrorCode.ERR_BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains("inputz"), e.getMessage());
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode read(String file) throws IOException {
        try (InputStream in = GoldenJsonTest.class.getResourceAsStream("/golden/" + file)) {
            return Json.MAPPER.readTree(in);
        }
    }
}
