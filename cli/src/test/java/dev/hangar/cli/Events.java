package dev.hangar.cli;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import java.util.List;

/** Wire frames for tests, built from the contracts' own records. */
public final class Events {
    public static final String ID = "r-01J9ZC4Q2B7W3D";
    public static final ProcessorRef REF = ProcessorRef.parse("examples/echo@1");
    public static final String DIGEST = "sha256:8a3e1c9f0d4b2a7e6c5d4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e";
    public static final String OUTPUT_PATH = "/artifacts/outputs/examples-echo-v1/" + ID + "/output.json";
    public static final String CID = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

    private Events() {}

    public static Envelope.Meta meta() {
        return new Envelope.Meta(REF.toString(), dev.hangar.contracts.Adapter.LOCAL, dev.hangar.contracts.Mode.MOCK, dev.hangar.contracts.Platform.AMD64, 1, DIGEST, null, 812L, 35L, null, null);
    }

    public static Envelope success() {
        return Envelope.success(ID, List.of(new OutputRef(OUTPUT_PATH, CID, 62, "application/json")),
                "/artifacts/outputs/examples-echo-v1/" + ID + "/outputs.json", meta());
    }

    public static Envelope failure() {
        return Envelope.error(ID, ErrorCode.ERR_PROCESSOR_FAILED, "predict() raised ValueError: messages must not be empty",
                "Traceback (most recent call last):\nValueError: messages must not be empty", meta());
    }

    public static String event(int attempt, long seq, RunEvent.Body body) {
        return Json.write(RunEvent.of(ID, attempt, seq, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", body));
    }

    public static String queued(long seq) {
        return event(1, seq, new RunEvent.Queued(REF, dev.hangar.contracts.Adapter.LOCAL, dev.hangar.contracts.Mode.MOCK));
    }

    public static String started(long seq) {
        return event(1, seq, new RunEvent.Started(REF, dev.hangar.contracts.Adapter.LOCAL, dev.hangar.contracts.Mode.MOCK, DIGEST, "executor-1"));
    }

    public static String log(long seq, String line) {
        return event(1, seq, new RunEvent.Log("stdout", line));
    }

    public static String token(long seq, String text) {
        return event(1, seq, new RunEvent.Token(text));
    }

    public static String terminal(long seq, Envelope envelope) {
        return event(1, seq, RunEvent.terminal(envelope));
    }

    public static String envelope(Envelope envelope) {
        return Json.write(envelope);
    }

    /** A complete successful run: queued, started, two logs, completed, then the envelope frame. */
    public static List<String> successfulRun() {
        return List.of(queued(1), started(2), log(3, "echoing 1 message"), log(4, "done"),
                terminal(5, success()), envelope(success()));
    }
}
