package dev.hangar.executor.slurm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * slurmrestd over HTTP with a JWT ({@code X-SLURM-USER-NAME} / {@code X-SLURM-USER-TOKEN}). The
 * token is read for every request (from the file when one is configured) and appears in no
 * message. slurmrestd answers an unknown job, a bad token and a user/token mismatch alike with
 * HTTP 500; {@code errors[].error_number} tells them apart (2017: unknown job).
 */
final class SlurmClient {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final SlurmConfig config;
    private final HttpClient http;
    private final URI base;

    SlurmClient(SlurmConfig config) {
        this.config = config;
        // slurmrestd speaks HTTP/1.1 only: an h2c upgrade request gets a reply the JDK client cannot parse
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.requestTimeout()).build();
        String url = config.restUrl().toString().replaceAll("/+$", "");
        this.base = URI.create(url + "/slurm/" + config.apiVersion() + "/");
    }

    /**
     * Submits a batch job; its id. A job Slurm queued although no node is available now (2068:
     * drained, down or reserved) is kept: it waits. A request no node of the partition can ever
     * hold (2014: more GPUs, CPUs or memory than any node has) is {@code ERR_NO_CAPACITY}; any
     * other refusal {@code ERR_ADAPTER_INVOCATION} with Slurm's errors.
     */
    long submit(SlurmWire.Submission submission) throws IOException {
        var reply = send(HttpRequest.newBuilder(base.resolve("job/submit"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(submission))), SlurmWire.SubmitReply.class);
        Long id = reply.body().jobId();
        var errors = reply.body().errors();
        if (id != null && hasErrors(errors) && errors.stream().allMatch(e -> Integer.valueOf(SlurmWire.Error.NODE_NOT_AVAILABLE)
                .equals(e.number()))) {
            return id; // queued until a node is back (drained, down or reserved): the run waits for capacity
        }
        if (id == null || reply.status() / 100 != 2 || hasErrors(errors)) {
            // with some errors Slurm still queues the job: it must not stay behind
            String queued = "";
            if (id != null) {
                cancel(id);
                queued = "; the job it queued anyway (" + id + ") was canceled";
            }
            boolean neverFits = hasErrors(errors) && errors.stream().anyMatch(e -> Integer.valueOf(SlurmWire.Error.NO_SUCH_NODES)
                    .equals(e.number()));
            throw new HangarException(neverFits ? ErrorCode.ERR_NO_CAPACITY : ErrorCode.ERR_ADAPTER_INVOCATION,
                    "Slurm refused the job (HTTP " + reply.status() + "): "
                    + describe(reply.body().errors()) + queued);
        }
        return id;
    }

    /** The job as Slurm reports it; empty once Slurm no longer knows it (error 2017). */
    Optional<SlurmWire.JobInfo> job(long id) throws IOException {
        var reply = send(HttpRequest.newBuilder(base.resolve("job/" + id)).GET(), SlurmWire.JobsReply.class);
        if (unknownJob(reply.body().errors())) {
            return Optional.empty();
        }
        requireOk(reply, "GET job/" + id);
        var jobs = reply.body().jobs();
        return jobs == null ? Optional.empty() : jobs.stream().filter(j -> j.jobId() == id).findFirst();
    }

    /** Every job Slurm knows of. */
    List<SlurmWire.JobInfo> jobs() throws IOException {
        var reply = send(HttpRequest.newBuilder(base.resolve("jobs")).GET(), SlurmWire.JobsReply.class);
        requireOk(reply, "GET jobs");
        return reply.body().jobs() == null ? List.of() : reply.body().jobs();
    }

    /** {@code DELETE job/{id}}: Slurm signals the job (TERM, then KILL after KillWait) and ends it; unknown jobs are fine. */
    void cancel(long id) throws IOException {
        var reply = send(HttpRequest.newBuilder(base.resolve("job/" + id)).DELETE(), SlurmWire.JobsReply.class);
        if (!unknownJob(reply.body().errors())) {
            requireOk(reply, "DELETE job/" + id);
        }
    }

    private record Reply<T>(int status, T body) {}

    private <T> Reply<T> send(HttpRequest.Builder request, Class<T> type) throws IOException {
        request.timeout(config.requestTimeout())
                .header("Accept", "application/json")
                .header("X-SLURM-USER-NAME", config.user())
                .header("X-SLURM-USER-TOKEN", token());
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling slurmrestd", e);
        }
        try {
            return new Reply<>(response.statusCode(), JSON.readValue(response.body(), type));
        } catch (IOException notJson) {
            throw new IOException("slurmrestd answered HTTP " + response.statusCode() + " with no JSON body", notJson);
        }
    }

    private String token() {
        if (config.tokenFile().isPresent()) {
            try {
                return Files.readString(config.tokenFile().get()).strip().replaceFirst("^SLURM_JWT=", "");
            } catch (IOException e) {
                throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, "cannot read the Slurm token file "
                        + config.tokenFile().get() + " (hangar.executor.slurm.token-file): " + e.getMessage());
            }
        }
        return config.token().filter(t -> !t.isBlank()).orElseThrow(() -> new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE,
                "no Slurm token: set hangar.executor.slurm.token-file (or hangar.executor.slurm.token) to a JWT of user "
                        + config.user() + " (scontrol token username=" + config.user() + ")"));
    }

    private static void requireOk(Reply<SlurmWire.JobsReply> reply, String what) throws IOException {
        if (reply.status() / 100 != 2 || hasErrors(reply.body().errors())) {
            throw new SlurmRefusal(what + " answered HTTP " + reply.status() + ": " + describe(reply.body().errors()));
        }
    }

    private static boolean hasErrors(List<SlurmWire.Error> errors) {
        return errors != null && !errors.isEmpty();
    }

    private static boolean unknownJob(List<SlurmWire.Error> errors) {
        return errors != null && errors.stream().anyMatch(e -> Integer.valueOf(SlurmWire.Error.UNKNOWN_JOB).equals(e.number()));
    }

    private static String describe(List<SlurmWire.Error> errors) {
        return hasErrors(errors) ? String.join("; ", errors.stream().map(SlurmWire.Error::toString).toList()) : "no error given";
    }

    /** slurmrestd answered, but with an error (a bad token, a mismatched user, ...). */
    static final class SlurmRefusal extends IOException {
        SlurmRefusal(String message) {
            super(message);
        }
    }
}
