"""The runtime's own cost per warm prediction: a no-op predictor over the unix socket, sequential,
against calling the same predictor function directly in one Python process.

    python3 runtime/perf/overhead.py [--calls 500] [--profile]
    python3 overhead.py --predictor /src/predict.py:Predictor --input '{"name": "x"}' --numbers

The second form measures a project's own predictor (a Cog one: its inputs checked and its output
encoded as Cog does) inside its image, as perf/cog.sh runs it: the image's runtime over its unix
socket against the same class's setup() once and predict(**input) called directly, in the same
container; --numbers prints only "runtime_p50 runtime_p99 direct_p50 direct_p99" in ms.

Starts `python3 -m hangar_runtime` (standard library only, like the image) in a temp folder,
sends --calls sequential `POST /predictions` (one connection each, as the executor does) with a
small per-run output_dir and context, and prints p50/p99/mean in milliseconds for both. With
--profile the server runs in this process instead, every thread under cProfile, and the top
functions by cumulative and by own time are printed.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RUNTIME = Path(__file__).resolve().parent.parent / "python"
if not RUNTIME.is_dir():  # run inside an image (perf/cog.sh): the image's own runtime, on its PYTHONPATH
    RUNTIME = Path(os.environ.get("PYTHONPATH", "/opt/hangar").split(":")[0])
NOOP = '''
from hangar_runtime.processor import Processor

class Predictor(Processor):
    def predict(self, text="x"):
        return {"ok": True}
'''


def request(sock_path: str, body: bytes, sse: bool = False) -> bytes:
    accept = b"Accept: text/event-stream\r\n" if sse else b""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock_path)
        s.sendall(b"POST /predictions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + accept +
                  b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    reply = b"".join(chunks)
    if not reply.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(reply[:300])
    return reply


def wait_ready(sock_path: str) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(sock_path)
                s.sendall(b"GET /health-check HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b'"READY"' in s.recv(65536):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("runtime did not become READY")


def stats(name: str, samples: list) -> str:
    ms = sorted(x * 1000 for x in samples)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return f"| {name} | {len(ms)} | {p(0.5):.4f} | {p(0.99):.4f} | {statistics.fmean(ms):.4f} |"


PREDICTOR = None  # None: the no-op above; else "file.py:Class" (--predictor)
INPUT = {"text": "x"}


def bodies(runs: Path, calls: int):
    for i in range(calls):
        folder = runs / f"{i:016x}" / "outputs"
        folder.mkdir(parents=True)
        yield json.dumps({"input": INPUT, "output_dir": str(folder),
                          "context": {"execution_id": f"exec-{i}"}}).encode()


def env_for(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANGAR_")}
    (home / "tmp").mkdir(exist_ok=True)
    env.update(PYTHONPATH=str(RUNTIME), PYTHONDONTWRITEBYTECODE="1", HANGAR_SOCKET=str(home / "runtime.sock"),
               HANGAR_PREDICTOR=PREDICTOR or str(home / "noop.py") + ":Predictor", HANGAR_OUTPUT_DIR=str(home / "outputs"),
               HANGAR_RUNS_DIR=str(home / "runs"), HANGAR_SCRUB_DIRS=str(home / "tmp"), TMPDIR=str(home / "tmp"))
    return env


def direct(home: Path, calls: int) -> list:
    sys.path.insert(0, str(RUNTIME))
    if PREDICTOR:
        import importlib.util
        file, name = PREDICTOR.rsplit(":", 1)
        sys.path.insert(0, str(Path(file).parent))
        spec = importlib.util.spec_from_file_location("measured_predictor", file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        Predictor = getattr(module, name)
    else:
        sys.path.insert(0, str(home))
        from noop import Predictor  # noqa: E402

    predictor = Predictor()
    if hasattr(predictor, "setup"):
        predictor.setup()
    samples = []
    for _ in range(calls):
        t = time.perf_counter()
        predictor.predict(**INPUT)
        samples.append(time.perf_counter() - t)
    return samples


def over_socket(home: Path, calls: int, sse: bool) -> list:
    proc = subprocess.Popen([sys.executable, "-m", "hangar_runtime"], env=env_for(home), cwd=home,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        sock = str(home / "runtime.sock")
        wait_ready(sock)
        payloads = list(bodies(home / "runs" / ("sse" if sse else "sync"), calls + 50))
        for body in payloads[:50]:  # warm-up
            request(sock, body, sse)
        samples = []
        for body in payloads[50:]:
            t = time.perf_counter()
            request(sock, body, sse)
            samples.append(time.perf_counter() - t)
        return samples
    finally:
        proc.terminate()
        proc.wait(5)


def profiled(home: Path, calls: int) -> None:
    """The server in this process, each of its threads under its own cProfile, merged."""
    os.environ.update(env_for(home))
    sys.path.insert(0, str(RUNTIME))
    from hangar_runtime.capture import Capture
    from hangar_runtime.config import Config
    from hangar_runtime.server import make_server
    from hangar_runtime.worker import Worker

    profiles, lock = [], threading.Lock()
    original_run = threading.Thread.run

    def run(self):
        profile = cProfile.Profile()
        with lock:
            profiles.append(profile)
        profile.enable()
        try:
            original_run(self)
        finally:
            profile.disable()

    threading.Thread.run = run
    cfg = Config.from_env()
    capture = Capture()
    worker = Worker(cfg, capture)
    server = make_server(worker)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True).start()
    worker.start_setup()
    sock = str(home / "runtime.sock")
    wait_ready(sock)
    for body in bodies(home / "runs" / "sync", calls):
        request(sock, body)
    time.sleep(0.2)
    server.shutdown()
    for profile in profiles:
        profile.disable()  # the worker threads never end; their data so far is what counts
    out = io.StringIO()
    merged = pstats.Stats(profiles[0], stream=out)
    for profile in profiles[1:]:
        try:
            merged.add(profile)
        except TypeError:
            pass  # a profile with no data
    merged.sort_stats("cumulative").print_stats(30)
    merged.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--predictor", help="file.py:Class to measure instead of the no-op")
    parser.add_argument("--input", help="the input as JSON (default {\"text\": \"x\"})")
    parser.add_argument("--numbers", action="store_true", help="print only the four p50/p99 numbers")
    args = parser.parse_args()
    global PREDICTOR, INPUT
    PREDICTOR = args.predictor
    if args.input:
        INPUT = json.loads(args.input)
    with tempfile.TemporaryDirectory(prefix="hangar-overhead-") as tmp:
        home = Path(tmp)
        (home / "noop.py").write_text(NOOP)
        if args.profile:
            profiled(home, args.calls)
            return 0
        sock_samples = over_socket(home, args.calls, sse=False)
        if args.numbers:
            direct_samples = direct(home, args.calls)
            p = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] * 1000  # noqa: E731
            print(f"{p(sock_samples, .5):.4f} {p(sock_samples, .99):.4f} {p(direct_samples, .5):.4f} {p(direct_samples, .99):.4f}")
            return 0
        sse_samples = over_socket(home, args.calls, sse=True)
        direct_samples = direct(home, args.calls)
        print(f"no-op prediction, {args.calls} sequential calls, Python {sys.version.split()[0]}")
        print("| path | calls | p50 ms | p99 ms | mean ms |\n|---|---|---|---|---|")
        print(stats("POST /predictions over the unix socket, JSON answer", sock_samples))
        print(stats("the same with Accept: text/event-stream (what the executor sends)", sse_samples))
        print(stats("predictor.predict() called directly", direct_samples))
        print(f"runtime overhead p50: {(statistics.median(sock_samples) - statistics.median(direct_samples)) * 1000:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
