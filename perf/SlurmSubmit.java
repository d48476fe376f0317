import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Slurm submit -> RUNNING, N times each way, alternating: (a) the Slurm adapter's REST path (the
 * JDK client over HTTP/1.1 with X-SLURM-USER-NAME/-TOKEN, POST job/submit with the adapter's job
 * fields, then GET job/{id} until RUNNING), (b) `sbatch --parsable` of the same script as the
 * same user, then `squeue -h -j ID -o %T` until RUNNING. Both poll every POLL_MS; each job is
 * canceled once seen running. Prints one line per sample: "rest MS" or "sbatch MS".
 *   java perf/SlurmSubmit.java RUNS POLL_MS   (env SLURM_REST_URL, SLURM_USER, SLURM_TOKEN, SLURM_CONF)
 */
public class SlurmSubmit {
    static final String SCRIPT = "#!/bin/bash\nsleep 30\n";
    static final Pattern STATE = Pattern.compile("\"job_state\"\\s*:\\s*\"([A-Z_]+)\"");
    static final Pattern ID = Pattern.compile("\"job_id\"\\s*:\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        long poll = Long.parseLong(args[1]);
        String base = System.getenv("SLURM_REST_URL") + "/slurm/v0.0.38/";
        String user = System.getenv("SLURM_USER");
        String token = System.getenv("SLURM_TOKEN");
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = "{\"script\":\"#!/bin/bash\\nsleep 30\\n\",\"job\":{\"name\":\"hangar-perf\",\"current_working_directory\":\"/tmp\","
                + "\"standard_output\":\"/dev/null\",\"environment\":{\"PATH\":\"/usr/bin:/bin\"},\"cpus_per_task\":1,"
                + "\"memory_per_node\":256,\"time_limit\":2,\"requeue\":false,\"nodes\":\"1\"}}";
        for (int i = 0; i < runs; i++) {
            // alternate which goes first, and start each from a quiet controller: a job's end triggers a
            // scheduling pass, so a submit right after one would be placed at once and flatter its path
            for (int k = 0; k < 2; k++) {
                settle();
                if ((i + k) % 2 == 0) {
                    rest(http, base, user, token, body, poll);
                } else {
                    sbatch(user, poll);
                }
            }
        }
    }

    static void rest(HttpClient http, String base, String user, String token, String body, long poll) throws Exception {
        long t0 = System.nanoTime();
        var submit = http.send(request(base + "job/submit", user, token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        var m = ID.matcher(submit.body());
        if (!m.find()) {
            throw new IllegalStateException("submit failed: " + submit.body());
        }
        String id = m.group(1);
        while (true) {
            var job = http.send(request(base + "job/" + id, user, token).GET().build(), HttpResponse.BodyHandlers.ofString());
            var s = STATE.matcher(job.body());
            if (s.find() && !"PENDING".equals(s.group(1))) {
                break;
            }
            Thread.sleep(poll);
        }
        System.out.printf("rest %.1f%n", (System.nanoTime() - t0) / 1e6);
        http.send(request(base + "job/" + id, user, token).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    static void sbatch(String user, long poll) throws Exception {
        long t0 = System.nanoTime();
        String sid = run("runuser", "-u", user, "--", "sbatch", "--parsable", "-J", "hangar-perf", "-D", "/tmp", "-o", "/dev/null",
                "-c", "1", "--mem=256", "-t", "2", "--no-requeue", "-N", "1", "--wrap", "sleep 30").strip();
        while (!run("squeue", "-h", "-j", sid, "-o", "%T").strip().equals("RUNNING")) {
            Thread.sleep(poll);
        }
        System.out.printf("sbatch %.1f%n", (System.nanoTime() - t0) / 1e6);
        run("scancel", sid);
    }

    /** Waits until no perf job is left, then a little longer, so both paths start from the same state. */
    static void settle() throws Exception {
        while (!run("squeue", "-h", "-n", "hangar-perf", "-o", "%i").isBlank()) {
            Thread.sleep(50);
        }
        Thread.sleep(GAP_MS);
    }

    static final long GAP_MS = Long.parseLong(System.getenv().getOrDefault("SLURM_PERF_GAP_MS", "1000"));

    static HttpRequest.Builder request(String url, String user, String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json")
                .header("X-SLURM-USER-NAME", user).header("X-SLURM-USER-TOKEN", token);
    }

    static String run(String... command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
        return out;
    }
}
