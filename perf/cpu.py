#!/usr/bin/env python3
"""Where the CPU went during a benchmark: `cpu.py snap FILE` before, `cpu.py diff FILE` after.

Reads /proc (user+system ticks of every process, and the machine's busy time) and prints the
cores used on average between the two calls, in total and per component of the stack, e.g.
`busy 1.93/2 cores: gateway 0.61, executor 0.40, postgres 0.30, ...`. A process that started
after the snapshot counts with all its ticks; one that ended meanwhile is missed (so the sum
can be below the total: the rest is shown as `ended or unlisted`).
"""
import json
import os
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
LABELS = [  # first match of the command line wins
    ("gateway-service", "gateway"), ("executor-service", "executor"), ("registry-service", "registry"),
    ("storage-service", "storage"), ("kafka.Kafka", "kafka"), ("postgres", "postgres"),
    ("hangar_runtime", "containers"), ("S3Proxy", "s3proxy"), ("s3proxy", "s3proxy"),
    ("dockerd", "docker"), ("containerd", "docker"), ("runc", "docker"), ("docker-proxy", "docker"),
    ("perf/", "bench client"), ("wrk", "bench client"), ("maven", "builds/tests (others)"),
    ("surefire", "builds/tests (others)"), ("quarkus-run", "other java"),
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
        procs[pid] = [label(cmd), int(fields[11]) + int(fields[12])]  # utime + stime
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return {"t": time.monotonic(), "busy": sum(cpu[:8]) - idle, "procs": procs}


def diff(before, after):
    seconds = after["t"] - before["t"]
    cores = os.cpu_count()
    total = (after["busy"] - before["busy"]) / TICKS / seconds
    by = {}
    for pid, (name, ticks) in after["procs"].items():
        start = before["procs"].get(pid, [name, 0])[1]
        by[name] = by.get(name, 0) + (ticks - start) / TICKS / seconds
    by["ended or unlisted"] = by.get("ended or unlisted", 0) + max(0.0, total - sum(by.values()))
    parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(by.items(), key=lambda kv: -kv[1]) if v >= 0.02)
    return f"busy {total:.2f}/{cores} cores over {seconds:.1f} s: {parts}"


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump(snapshot(), f)
    else:
        with open(sys.argv[2]) as f:
            print(diff(json.load(f), snapshot()))
