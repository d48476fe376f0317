#!/usr/bin/env python3
"""Where the CPU went during a benchmark: `cpu.py watch OUT &` before, `kill -TERM` after.

Samples /proc every 0.25 s (user+system ticks of every process, and the machine's busy time)
and, when stopped, writes to OUT the cores used on average meanwhile, in total and per component
of the stack, e.g. `busy 1.93/2 cores over 20.1 s: gateway 0.61, executor 0.40, postgres 0.30, ...`.
A process counts with the ticks it had at its last sample (all of them if it started meanwhile),
so one that lived less than a sample is missed: the rest of the machine's busy time is shown as
`ended or unlisted`. The sampler itself costs a few percent of a core.
"""
import os
import signal
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
LABELS = [  # first match of the command line wins; builds and tests first (their class paths name modules)
    ("surefire", "builds/tests (others)"), ("failsafe", "builds/tests (others)"), ("maven", "builds/tests (others)"),
    ("services/gateway-service/", "gateway"), ("services/executor-service/", "executor"),
    ("services/registry-service/", "registry"), ("services/storage-service/", "storage"),
    ("kafka.Kafka", "kafka"), ("postgres", "postgres"), ("hangar_runtime", "containers"),
    ("s3proxy", "s3proxy"), ("S3Proxy", "s3proxy"),
    ("dockerd", "docker"), ("containerd", "docker"), ("runc", "docker"),
    ("perf/", "bench client"), ("wrk ", "bench client"), ("curl ", "bench client"), ("java", "other java"),
]


def label(cmdline):
    for needle, name in LABELS:
        if needle in cmdline:
            return name
    return "other"


def snapshot():
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # keyed by pid and start time, so a reused pid is a new process; utime + stime
        procs[f"{pid}:{fields[19]}"] = [label(cmd), int(fields[11]) + int(fields[12])]
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return {"t": time.monotonic(), "busy": sum(cpu[:8]) - idle, "procs": procs}


def diff(before, after):
    seconds = after["t"] - before["t"]
    cores = os.cpu_count()
    total = (after["busy"] - before["busy"]) / TICKS / seconds
    by = {}
    for key, (name, ticks) in after["procs"].items():
        start = before["procs"].get(key, [name, 0])[1]
        by[name] = by.get(name, 0) + (ticks - start) / TICKS / seconds
    by["ended or unlisted"] = by.get("ended or unlisted", 0) + max(0.0, total - sum(by.values()))
    parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(by.items(), key=lambda kv: -kv[1]) if v >= 0.02)
    return f"busy {total:.2f}/{cores} cores over {seconds:.1f} s: {parts}"


def watch(out):
    first = snapshot()
    seen = {pid: list(v) for pid, v in first["procs"].items()}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    last = first
    while not stop:
        time.sleep(0.25)
        last = snapshot()
        for key, (name, ticks) in last["procs"].items():
            if key in seen:
                seen[key] = [name, max(seen[key][1], ticks)]  # the latest name (a postgres backend renames itself)
            else:
                seen[key] = [name, ticks]  # a new process: all its ticks count
    last = dict(last, procs=seen)
    with open(out, "w") as f:
        f.write(diff(first, last) + "\n")


if __name__ == "__main__":
    watch(sys.argv[2])
