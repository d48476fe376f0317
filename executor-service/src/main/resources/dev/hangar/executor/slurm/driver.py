"""Hangar's Slurm job driver: runs inside the run's container, on the node Slurm allocated.

The executor cannot reach a unix socket on another host, so on Slurm the container drives its own
run, speaking the same protocol the executor speaks locally: it takes the run's secrets from the
0600 file the executor left in the run folder (deleting it before any processor code loads) and
serves them once on a socket, as the executor's SecretsHandoff does; starts the Hangar runtime;
waits for READY; posts the prediction with the executor's request (request.json) and writes every
SSE event, as one JSON line, to events.jsonl in the run folder, which the executor tails through
the shared folder. Standard library only, like the runtime.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

IO = "/hangar/io"
EVENTS = os.path.join(IO, "events.jsonl")
out = open(EVENTS, "a", buffering=1, encoding="utf-8")


def emit(event, data):
    out.write(json.dumps({"event": event, "data": data}) + "\n")


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


def hand_off_secrets(env):
    path = os.path.join(IO, "secrets.json")
    if not os.path.exists(path):
        return
    with open(path, "rb") as f:
        body = f.read()
    os.unlink(path)
    sock_path = os.path.join(IO, "secrets.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    os.chmod(sock_path, 0o600)
    server.listen(1)

    def serve_once():
        try:
            conn, _ = server.accept()
            with conn:
                conn.sendall(body)
        finally:
            server.close()
            try:
                os.unlink(sock_path)
            except OSError:
                pass

    threading.Thread(target=serve_once, daemon=True).start()
    env["HANGAR_SECRETS_SOCKET"] = sock_path


def health(sock_path):
    conn = UnixConnection(sock_path, 5)
    try:
        conn.request("GET", "/health-check")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def await_ready(sock_path, runtime, timeout):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if runtime.poll() is not None:
            emit("driver_error", {"message": f"the runtime exited with code {runtime.returncode} before it answered"})
            return False
        try:
            state = health(sock_path).get("status")
            if state in ("READY", "BUSY"):
                return True
            if state == "SETUP_FAILED":
                emit("setup_failed", {})
                return False
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.05)
    emit("driver_error", {"message": f"the container's runtime did not become READY within {timeout} s;"
                                     " does the image run the Hangar runtime?"})
    return False


def predict(sock_path, request):
    body = json.dumps(request).encode("utf-8")
    conn = UnixConnection(sock_path, None)
    conn.request("POST", "/predictions", body=body,
                 headers={"Accept": "text/event-stream", "Content-Type": "application/json"})
    response = conn.getresponse()
    if response.status // 100 != 2:
        emit("driver_error", {"message": f"the runtime refused the prediction: HTTP {response.status}"
                                         f" {response.read(4096).decode('utf-8', 'replace')}"})
        return
    if "text/event-stream" not in (response.getheader("Content-Type") or ""):
        emit("completed", json.loads(response.read()))
        return
    event, data = "message", []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line.startswith(":"):
            continue
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" ") if line[5:6] == " " else line[5:])
        elif line == "" and data:
            payload = json.loads("\n".join(data))
            if event == "error":
                # the stream lost events: fetch the final state by id (idempotent, never runs twice)
                emit("log", {"source": "stderr", "data": "runtime: " + str(payload.get("detail", "events were dropped"))})
                again = UnixConnection(sock_path, None)
                again.request("PUT", "/predictions/" + request["id"], body=body,
                              headers={"Content-Type": "application/json"})
                emit("completed", json.loads(again.getresponse().read()))
                return
            emit(event, payload)
            if event in ("completed", "done"):
                return
            event, data = "message", []
    emit("driver_error", {"message": "the runtime closed the stream before the prediction finished"})


def main():
    with open(os.path.join(IO, "request.json"), encoding="utf-8") as f:
        request = json.load(f)
    os.unlink(os.path.join(IO, "request.json"))
    env = dict(os.environ)
    hand_off_secrets(env)
    sock_path = env.get("HANGAR_SOCKET", os.path.join(IO, "runtime.sock"))
    runtime = subprocess.Popen([sys.executable, "-m", "hangar_runtime"], env=env)
    try:
        emit("container", {"phase": "started"})
        if await_ready(sock_path, runtime, float(env.get("HANGAR_START_TIMEOUT_SECONDS", "60"))):
            emit("container", {"phase": "ready"})
            predict(sock_path, request)
    finally:
        runtime.terminate()
        try:
            runtime.wait(5)
        except subprocess.TimeoutExpired:
            runtime.kill()
    out.close()


if __name__ == "__main__":
    main()
