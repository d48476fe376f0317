package dev.hangar.executor.slurm;

import dev.hangar.contracts.ProcessorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The batch script of one run's Slurm job: on the allocated node it starts the run's container
 * with the node's Docker engine, locked down as the local adapter locks it down (network none,
 * unprivileged, read-only root, no capabilities, the spec's limits), with the run folder of the
 * shared directory at /hangar/io and the {@code driver.py} there as its entrypoint. On TERM (a
 * cancel, Slurm's time limit, a preemption) and on every exit it removes the container, then
 * writes the exit status to the marker file, so the executor knows nothing is left running.
 * Holds no secret: they travel in a 0600 file of the run folder. While the container runs, a
 * watchdog checks the executor's heartbeat file (touched on every poll): an executor that stopped
 * following the run (SIGKILL, host gone) leaves it stale, and after {@code heartbeatSeconds} the
 * script ends the run as a TERM would, so a job never outlives its executor by more than that
 * (0: no watchdog; Slurm's time limit still ends it).
 */
record JobScript(String executionId, String executorId, String image, Path folder, Path marker, String containerName,
                 String mode, String containerUser, long pidsLimit, long startTimeoutSeconds, ProcessorSpec.Resources limits,
                 String docker, boolean dockerGpus, Path heartbeat, long heartbeatSeconds) {

    static final String IO_DIR = "/hangar/io";
    static final String LABEL_MANAGED = "dev.hangar.managed";
    static final String LABEL_EXECUTOR = "dev.hangar.executor";
    static final String LABEL_EXECUTION = "dev.hangar.execution_id";

    String render() {
        var run = new ArrayList<>(List.of("\"$docker\"", "run", "--rm", "--name", "\"$name\"", "--network", "none",
                "--user", q(containerUser), "--read-only", "--tmpfs", "/tmp:rw,nosuid,nodev,size=256m",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--memory", limits.memoryMb() + "m", "--memory-swap", limits.memoryMb() + "m",
                "--cpus", String.format(Locale.ROOT, "%.3f", limits.cpu()), "--pids-limit", String.valueOf(pidsLimit),
                "--label", q(LABEL_MANAGED + "=true"), "--label", q(LABEL_EXECUTOR + "=" + executorId),
                "--label", q(LABEL_EXECUTION + "=" + executionId),
                "-e", q("HANGAR_MODE=" + mode), "-e", q("HANGAR_SOCKET=" + IO_DIR + "/runtime.sock"),
                "-e", q("HANGAR_OUTPUT_DIR=" + IO_DIR + "/outputs"), "-e", q("HANGAR_EXECUTION_ID=" + executionId),
                "-e", q("HANGAR_START_TIMEOUT_SECONDS=" + startTimeoutSeconds)));
        if (limits.gpus() > 0) {
            run.addAll(List.of("-e", "\"CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}\""));
            if (dockerGpus) {
                run.addAll(List.of("--gpus", "\"device=${CUDA_VISIBLE_DEVICES}\""));
            }
        }
        run.addAll(List.of("-v", "\"$folder:" + IO_DIR + "\"", "--entrypoint", "python3", "\"$image\"", IO_DIR + "/driver.py"));
        return """
                #!/bin/bash
                # Hangar run %s (executor %s): the run's container on this node's Docker engine
                set -u
                docker=%s
                image=%s
                folder=%s
                name=%s
                marker=%s
                alive=%s
                alive_s=%d
                watchdog=
                finish() { [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null; "$docker" rm -f "$name" >/dev/null 2>&1; echo "$1" > "$marker"; }
                trap 'finish 143; exit 143' TERM INT
                if [ ! -f "$folder/driver.py" ]; then
                  # a job Slurm started after its run ended (requeued): docker would make an empty folder
                  echo "hangar: the run folder $folder is gone: the run has ended; nothing to do" >&2; finish 0; exit 0
                fi
                if ! "$docker" image inspect "$image" >/dev/null 2>&1; then
                  if ! "$docker" pull -q "$image" >&2; then
                    echo "hangar: cannot pull $image on $(hostname)" >&2; finish 125; exit 125
                  fi
                fi
                if [ "$alive_s" -gt 0 ]; then
                  main=$$
                  ( while sleep 1; do
                      beat=$(stat -c %%Y "$alive" 2>/dev/null || echo 0)
                      if [ $(( $(date +%%s) - beat )) -gt "$alive_s" ]; then
                        echo "hangar: executor stopped following the run (no heartbeat for $alive_s s): ending it" >&2
                        kill -TERM "$main"; exit 0
                      fi
                    done ) &
                  watchdog=$!
                fi
                %s &
                wait $!
                rc=$?
                finish "$rc"
                exit "$rc"
                """.formatted(executionId.replaceAll("[^A-Za-z0-9._-]", "_"), executorId.replaceAll("[^A-Za-z0-9._-]", "_"),
                q(docker), q(image), q(folder.toString()), q(containerName), q(marker.toString()), q(heartbeat.toString()),
                heartbeatSeconds, String.join(" ", run));
    }

    /** A shell word that stands for {@code text} exactly. */
    static String q(String text) {
        return "'" + text.replace("'", "'\"'\"'") + "'";
    }
}
