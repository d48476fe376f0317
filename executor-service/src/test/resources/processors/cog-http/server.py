"""A hand-written Cog HTTP server (after Cog's docs/http.md), standard library only.

GET  /health-check            {"status": "STARTING" | "READY", "setup": {...}}
POST /predictions             {"id"?, "input"} -> the prediction object, synchronously
PUT  /predictions/{id}        the same, idempotent: a known id returns that prediction
POST /predictions/{id}/cancel the running prediction ends as "canceled"

Inputs (for tests): text -> output {"echo", "file": data URL}; fail -> status failed;
sleep (seconds) -> waits, cancelable; probe -> tries loopback ports and lists interfaces.
`--never-ready` keeps the health check at STARTING; `--setup-fails` reports SETUP_FAILED.
"""

import base64
import datetime
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NEVER_READY = "--never-ready" in sys.argv
SETUP_FAILS = "--setup-fails" in sys.argv
STARTED = time.time()
SETUP_SECONDS = 0.5
predictions = {}
lock = threading.Lock()


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def probe():
    ports = {}
    for port in (9092, 5432, 8081, 9000):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            ports[str(port)] = "connected"
        except OSError as e:
            ports[str(port)] = type(e).__name__
    return {"ports": ports, "interfaces": sorted(os.listdir("/sys/class/net"))}


def predict(state):
    inp = state["prediction"]["input"]
    if inp.get("fail"):
        raise ValueError("asked to fail")
    if "sleep" in inp:
        print(f"sleeping {inp['sleep']} s", flush=True)
        if state["cancel"].wait(float(inp["sleep"])):
            return None
    if inp.get("probe"):
        return probe()
    text = str(inp.get("text", ""))
    print(f"echoing {len(text)} characters", flush=True)
    return {"echo": text, "file": "data:text/plain;base64," + base64.b64encode(text.upper().encode()).decode()}


def run(pid, body):
    with lock:
        state = predictions.get(pid)
        fresh = state is None
        if fresh:
            state = {"cancel": threading.Event(), "done": threading.Event(),
                     "prediction": {"id": pid, "input": body.get("input") or {}, "output": None, "status": "processing",
                                    "error": None, "logs": "", "created_at": now(), "started_at": now(),
                                    "completed_at": None, "metrics": {}}}
            predictions[pid] = state
    if not fresh:
        state["done"].wait()
        return state["prediction"]
    p = state["prediction"]
    t0 = time.time()
    try:
        output = predict(state)
        p["status"] = "canceled" if state["cancel"].is_set() else "succeeded"
        p["output"] = output
    except Exception as e:  # noqa: BLE001 — Cog reports any exception as a failed prediction
        p["status"], p["error"], p["logs"] = "failed", f"{type(e).__name__}: {e}", f"Traceback: {type(e).__name__}: {e}\n"
    p["completed_at"] = now()
    p["metrics"] = {"predict_time": time.time() - t0}
    state["done"].set()
    return p


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        return body if isinstance(body, dict) and isinstance(body.get("input", {}), dict) else None

    def do_GET(self):
        if self.path == "/health-check" and SETUP_FAILS:
            self.reply(200, {"status": "SETUP_FAILED", "setup": {"status": "failed", "logs": "RuntimeError: no weights\n"}})
        elif self.path == "/health-check":
            ready = not NEVER_READY and time.time() - STARTED > SETUP_SECONDS
            self.reply(200, {"status": "READY" if ready else "STARTING",
                             "setup": {"status": "succeeded" if ready else None, "logs": ""}})
        elif self.path == "/":
            self.reply(200, {"cog_version": "0.9.0-handmade", "docs_url": "/docs", "openapi_url": "/openapi.json"})
        else:
            self.reply(404, {"detail": "Not Found"})

    def do_POST(self):
        parts = self.path.strip("/").split("/")
        if parts == ["predictions"]:
            body = self.body()
            if body is None:
                return self.reply(422, {"detail": [{"loc": ["body"], "msg": "invalid body", "type": "value_error"}]})
            self.reply(200, run(body.get("id") or os.urandom(8).hex(), body))
        elif len(parts) == 3 and parts[0] == "predictions" and parts[2] == "cancel":
            state = predictions.get(parts[1])
            if state is None:
                return self.reply(404, {"detail": "Not Found"})
            state["cancel"].set()
            print(f"prediction {parts[1]} canceled", flush=True)
            self.reply(200, {})
        else:
            self.reply(404, {"detail": "Not Found"})

    def do_PUT(self):
        parts = self.path.strip("/").split("/")
        body = self.body()
        if len(parts) != 2 or parts[0] != "predictions":
            return self.reply(404, {"detail": "Not Found"})
        if body is None or body.get("id", parts[1]) != parts[1]:
            return self.reply(422, {"detail": [{"loc": ["body", "id"], "msg": "id differs from the URL", "type": "value_error"}]})
        self.reply(200, run(parts[1], body))

    def log_message(self, fmt, *args):
        if self.path == "/health-check":
            return  # polled every few milliseconds during setup: it would push everything else out of the tail
        print("cog-http: " + fmt % args, file=sys.stderr, flush=True)


if __name__ == "__main__":
    print("starting Cog HTTP server on 0.0.0.0:5000" + (" (never ready)" if NEVER_READY else ""), flush=True)
    ThreadingHTTPServer(("0.0.0.0", 5000), Handler).serve_forever()
