#!/usr/bin/env python3
"""Sampling speed through the platform against the same model's forward loop timed alone, in one
run on one machine (issue #10): perf/sampling.py [--own-services --gateway-db URL --registry-db URL]
[--url URL --token T] [--requests 8] [--max-tokens 48] [--record].

Alone (this process, hangar_lm, 1 thread as in the container): the bare forward loop (prefill +
cached decode steps, argmax, no sampling logic) and the Sampler, one request and `--requests`
batched. Through the platform (POST /v1/sample, real mode, the warm container of
hangar/tiny-lm): one request's latency and tokens/s, its time to the first token on the run's
WebSocket, and `--requests` requests sent one after another (unbatched: the container serves one
at a time) against the same requests sent at once (batched in shared forward passes). Every
request uses stop=[] so each sequence runs its full max_tokens; tokens/s counts generated tokens.

The platform is the gateway at --url (default $HANGAR_URL, else http://127.0.0.1:8080, token
$HANGAR_TOKEN or .local/keys/local-token of $HANGAR_STACK_ROOT), with hangar/tiny-lm pushed
(`bin/hangar push --override models/tiny-lm`), or with --own-services this tree's registry,
gateway and executor (their target/quarkus-app jars) started on free ports with private Kafka
topics on the stack's Kafka, PostgreSQL, S3 and Docker, the tiny-lm image built and pinned, and
all of it stopped at the end. --record appends the table to perf/results.md (section "Issue #10").
"""

import argparse
import base64
import concurrent.futures
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "tiny-lm"
sys.path.insert(0, str(MODEL))
PROMPTS = ["A penny saved", "The tower said", "Never trust", "In the beginning", "Why do programmers",
           "Love is", "If at first", "The only thing"]


# ---- the model alone

def alone(requests, max_tokens, repeats=3):
    import torch

    from hangar_lm import SampleRequest, SamplingParams, load_sampler
    from hangar_lm.bench import best, forward_loop

    torch.set_num_threads(1)
    sampler = load_sampler(MODEL / "weights" / "tiny-lm-base")
    tok = sampler.tokenizer
    reqs = [SampleRequest(tok.encode(PROMPTS[i % len(PROMPTS)], bos=True), SamplingParams(max_tokens=max_tokens, seed=i, stop=[]))
            for i in range(requests)]
    sampler.sample(reqs[0])  # warm-up
    one = best(lambda: forward_loop(sampler.model, [reqs[0].prompt], max_tokens), repeats)
    many = best(lambda: forward_loop(sampler.model, [r.prompt for r in reqs], max_tokens), repeats)
    single = best(lambda: sampler.sample(reqs[0]), repeats)
    serial = best(lambda: [sampler.sample(r) for r in reqs], repeats)
    batched = best(lambda: sampler.sample_many(reqs), repeats)
    first = []
    started = time.perf_counter()
    sampler.sample(reqs[0], on_token=lambda *a: first.append(time.perf_counter() - started) if not first else None)
    return {"forward_1": max_tokens / one, "forward_n": requests * max_tokens / many, "sampler_1": max_tokens / single,
            "sampler_serial": requests * max_tokens / serial, "sampler_batched": requests * max_tokens / batched,
            "ttft_ms": first[0] * 1000, "single_s": single}


# ---- the platform

def call(url, token, method, path, body=None, timeout=180):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def sample_body(base_model, i, max_tokens):
    return {"base_model": base_model, "prompt_text": PROMPTS[i % len(PROMPTS)],
            "sampling_params": {"max_tokens": max_tokens, "seed": i, "stop": []}}


def sample(url, token, body):
    status, answer = call(url, token, "POST", "/v1/sample", body)
    while status == 202:
        status, answer = call(url, token, "GET", f"/v1/sample/{answer['execution_id']}?wait_ms=60000")
    if status != 200:
        raise SystemExit(f"POST /v1/sample answered {status}: {answer}")
    return sum(len(s["tokens"]) for s in answer["sequences"])


def first_token(stream_url, token, started, timeout=60):
    """Seconds from `started` to the first token frame on the run's WebSocket (a minimal RFC 6455 reader)."""
    u = urllib.parse.urlparse(stream_url)
    with socket.create_connection((u.hostname, u.port or 80), timeout=timeout) as s:
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
        f = s.makefile("rb")
        if b" 101 " not in f.readline():
            raise SystemExit(f"{stream_url}: no WebSocket upgrade")
        while f.readline() not in (b"\r\n", b""):
            pass
        while True:
            head = f.read(2)
            if len(head) < 2:
                return None
            n = head[1] & 0x7F
            n = int.from_bytes(f.read(2 if n == 126 else 8), "big") if n >= 126 else n
            payload, op = f.read(n), head[0] & 0x0F
            if op == 8:
                return None
            if op == 1:
                frame = json.loads(payload)
                kind = frame.get("event", {}).get("type") if isinstance(frame, dict) else None
                if kind == "token":
                    return time.perf_counter() - started
                if kind in ("completed", "failed", "canceled") or (isinstance(frame, dict) and "event" not in frame):
                    return None


def platform(url, token, base_model, requests, max_tokens, repeats=3):
    started = time.perf_counter()
    sample(url, token, sample_body(base_model, 0, 4))  # starts the warm container if there is none
    cold = time.perf_counter() - started
    singles, ttfts = [], []
    for r in range(repeats + 2):
        started = time.perf_counter()
        n = sample(url, token, sample_body(base_model, r, max_tokens))
        singles.append((time.perf_counter() - started, n))
        started = time.perf_counter()
        status, accepted = call(url, token, "POST", "/v1/sample?wait_ms=0", sample_body(base_model, r, max_tokens))
        if status == 202:
            ttft = first_token(accepted["stream_url"], token, started)
            if ttft is not None:
                ttfts.append(ttft)
            call(url, token, "GET", f"/v1/sample/{accepted['execution_id']}?wait_ms=60000")
    bodies = [sample_body(base_model, i, max_tokens) for i in range(requests)]

    def serial():
        return sum(sample(url, token, b) for b in bodies)

    def together():
        with concurrent.futures.ThreadPoolExecutor(requests) as pool:
            return sum(pool.map(lambda b: sample(url, token, b), bodies))

    def timed(fn):
        best_s, tokens = None, 0
        for _ in range(repeats):
            t = time.perf_counter()
            tokens = fn()
            s = time.perf_counter() - t
            best_s = s if best_s is None else min(best_s, s)
        return best_s, tokens

    serial_s, serial_n = timed(serial)
    batched_s, batched_n = timed(together)
    single_s, single_n = min(singles)
    return {"cold_s": cold, "single_s": single_s, "single_tps": single_n / single_s,
            "ttft_ms": statistics.median(ttfts) * 1000 if ttfts else float("nan"),
            "serial_tps": serial_n / serial_s, "batched_tps": batched_n / batched_s}


# ---- this tree's services, for --own-services

@contextlib.contextmanager
def own_services(gateway_db, registry_db):
    keys = Path(os.environ.get("HANGAR_STACK_ROOT", "/work/main")) / ".local" / "keys"
    env = dict(os.environ, KAFKA_PASSWORD=(keys / "kafka-password").read_text().strip(),
               HANGAR_DB_PASSWORD=(keys / "db-password").read_text().strip(),
               HANGAR_INTERNAL_TOKEN=(keys / "internal-token").read_text().strip())
    tag = "sampleperf" + uuid.uuid4().hex[:8]
    token = "sample-perf-" + uuid.uuid4().hex
    ports = [free_port() for _ in range(4)]
    work = Path(tempfile.mkdtemp(prefix="hangar-sample-perf-"))
    image = "127.0.0.1:5000/sampleit/tiny-lm"
    subprocess.run(["docker", "build", "-q", "--network", "host", "-t", image + ":test", str(MODEL)], check=True,
                   env=dict(env, DOCKER_BUILDKIT="0"), stdout=subprocess.DEVNULL)
    subprocess.run(["docker", "push", "-q", image + ":test"], check=True, stdout=subprocess.DEVNULL)
    digests = subprocess.run(["docker", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", image + ":test"],
                             check=True, capture_output=True, text=True).stdout.split()
    digest = next(d.split("@")[1] for d in digests if d.startswith(image + "@"))
    topics = {k: f"hangar.sample-perf.{k}.{tag}" for k in ("events", "requested", "control", "submit")}
    procs = []
    try:
        registry = start(procs, "registry-service", ports[0], work, dict(env, HANGAR_DB_URL=registry_db, HANGAR_VERIFY_DIGESTS="false"), {})
        register(registry, tag, image, digest, env["HANGAR_INTERNAL_TOKEN"])
        gateway = start(procs, "gateway-service", ports[1], work, dict(
            env, HANGAR_DB_URL=gateway_db, HANGAR_SECRETS_KEY="perf-" + uuid.uuid4().hex, HANGAR_GATEWAY_ID=tag,
            HANGAR_GATEWAY_INTERNAL_PORT=str(ports[2]), HANGAR_PUBLIC_URL=f"http://127.0.0.1:{ports[1]}",
            HANGAR_BOOTSTRAP_TOKENS="perf=" + token, HANGAR_REGISTRY_URL=registry), {
            "mp.messaging.incoming.run-events.topic": topics["events"],
            "mp.messaging.incoming.run-events.dead-letter-queue.topic": topics["events"] + ".dlq",
            "mp.messaging.outgoing.run-requests.topic": topics["requested"],
            "mp.messaging.outgoing.run-control.topic": topics["control"],
            "mp.messaging.incoming.run-submissions.topic": topics["submit"],
            "mp.messaging.incoming.run-submissions.group.id": topics["submit"] + ".group",
            "mp.messaging.outgoing.run-submissions-dlq.topic": topics["submit"] + ".dlq",
            'hangar.gateway.models."hangar/tiny-lm".sampler': f"{tag}/tiny-lm@1"})
        start(procs, "executor-service", ports[3], work, dict(
            env, HANGAR_EXECUTOR_ID=tag, HANGAR_EXECUTOR_WORK_DIR=str(work / "executor"),
            HANGAR_GATEWAY_INTERNAL_URL=f"http://127.0.0.1:{ports[2]}", HANGAR_REGISTRY_URL=registry), {
            "mp.messaging.incoming.run-requests.topic": topics["requested"],
            "mp.messaging.incoming.run-requests.group.id": topics["requested"] + ".group",
            "mp.messaging.incoming.run-requests.dead-letter-queue.topic": topics["requested"] + ".dlq",
            "mp.messaging.outgoing.run-events.topic": topics["events"],
            "mp.messaging.incoming.run-control.topic": topics["control"]})
        yield gateway, token
    finally:
        for p in reversed(procs):  # the executor removes its warm container as it stops
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(procs, module, port, work, env, props):
    jar = ROOT / module / "target" / "quarkus-app" / "quarkus-run.jar"
    if not jar.is_file():
        raise SystemExit(f"{jar} is missing: build it (mvn -o -pl {module} -am package -DskipTests)")
    java = Path(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")) / "bin" / "java"
    log = open(work / f"{module}.log", "w")
    p = subprocess.Popen([str(java), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", f"-Dquarkus.http.port={port}",
                          "-Dquarkus.log.console.json.enabled=false"] + [f"-D{k}={v}" for k, v in props.items()] + ["-jar", str(jar)],
                         env=env, stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    url = f"http://127.0.0.1:{port}"
    until = time.time() + 90
    while time.time() < until:
        if p.poll() is not None:
            raise SystemExit(f"{module} exited at start; see {log.name}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url + "/q/health/live", timeout=2)
            return url
        time.sleep(0.3)
    raise SystemExit(f"{module} did not start; see {log.name}")


def register(registry, tag, image, digest, internal_token):
    import yaml  # python3-yaml, Debian's; the spec file is YAML

    spec = yaml.safe_load((MODEL / "hangar.yaml").read_text())
    spec.update(ref=f"{tag}/tiny-lm@1", image=image, digests={"amd64": digest})
    request = urllib.request.Request(f"{registry}/v1/processors/{tag}/tiny-lm/versions/1", data=json.dumps(spec).encode(),
                                     method="PUT", headers={"Content-Type": "application/json", "X-Hangar-Internal-Token": internal_token,
                                                            "X-Hangar-Owner": "perf"})
    urllib.request.urlopen(request, timeout=30)


# ---- the table

def table(a, p, requests, max_tokens):
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    where = f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load {load}"
    rows = [
        ("tokens/s, 1 request (through the platform vs the bare forward loop)", f"{p['single_tps']:.0f}", f"{a['forward_1']:.0f}",
         p["single_tps"] / a["forward_1"]),
        ("tokens/s, 1 request: the Sampler alone vs the bare forward loop", f"{a['sampler_1']:.0f}", f"{a['forward_1']:.0f}",
         a["sampler_1"] / a["forward_1"]),
        ("latency of 1 request, end to end (Sampler alone)", f"{p['single_s'] * 1000:.0f} ms", f"{a['single_s'] * 1000:.0f} ms",
         p["single_s"] / a["single_s"]),
        ("time to first token (on the run's WebSocket vs Sampler alone)", f"{p['ttft_ms']:.0f} ms", f"{a['ttft_ms']:.1f} ms",
         p["ttft_ms"] / a["ttft_ms"]),
        (f"tokens/s, {requests} concurrent requests batched vs one at a time (platform)", f"{p['batched_tps']:.0f}",
         f"{p['serial_tps']:.0f}", p["batched_tps"] / p["serial_tps"]),
        (f"tokens/s, {requests} requests batched vs one at a time (Sampler alone)", f"{a['sampler_batched']:.0f}",
         f"{a['sampler_serial']:.0f}", a["sampler_batched"] / a["sampler_serial"]),
        (f"tokens/s, {requests} concurrent batched through the platform vs the bare forward loop of {requests}",
         f"{p['batched_tps']:.0f}", f"{a['forward_n']:.0f}", p["batched_tps"] / a["forward_n"]),
    ]
    lines = [f"Measured {where}; {requests} requests × {max_tokens} tokens, hangar/tiny-lm (0.79 M parameters, CPU, "
             f"1 thread), warm container start-up {p['cold_s']:.1f} s (not in the numbers).", "",
             "| measure | Hangar / this | baseline, same run | ratio |", "|---|---|---|---|"]
    lines += [f"| {m} | {x} | {b} | {r:.2f}× |" for m, x, b, r in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("HANGAR_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--token")
    ap.add_argument("--base-model", default="hangar/tiny-lm")
    ap.add_argument("--requests", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--own-services", action="store_true")
    ap.add_argument("--gateway-db", default="jdbc:postgresql://127.0.0.1:5432/hangar_gateway_test_retry")
    ap.add_argument("--registry-db", default="jdbc:postgresql://127.0.0.1:5432/hangar_registry_test_retry")
    ap.add_argument("--record", action="store_true", help="append the table to perf/results.md")
    args = ap.parse_args()
    a = alone(args.requests, args.max_tokens)
    if args.own_services:
        with own_services(args.gateway_db, args.registry_db) as (url, token):
            p = platform(url, token, args.base_model, args.requests, args.max_tokens)
    else:
        token = args.token or os.environ.get("HANGAR_TOKEN") or (
            Path(os.environ.get("HANGAR_STACK_ROOT", ROOT)) / ".local" / "keys" / "local-token").read_text().strip()
        p = platform(args.url, token, args.base_model, args.requests, args.max_tokens)
    out = table(a, p, args.requests, args.max_tokens)
    print(out)
    if args.record:
        results = ROOT / "perf" / "results.md"
        text = results.read_text()
        heading = "## Issue #10 — sampling"
        if heading not in text:
            text += f"\n{heading}\n\n`perf/sampling.py` (docs/sampling.md); newest last.\n"
        results.write_text(text.rstrip("\n") + "\n\n" + out + "\n")


if __name__ == "__main__":
    main()
