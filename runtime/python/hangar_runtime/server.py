"""The Cog HTTP prediction API over a unix socket or loopback TCP.

One connection per request (`Connection: close`): the executor opens a fresh one per call, and
it keeps the server free of keep-alive bookkeeping. Each connection is served on its own thread
(an idle one is reused), since a sync or streaming request waits as long as its job runs.
"""

import json
import os
import queue
import re
import socketserver
import stat
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote

from . import openapi
from .capture import runtime_log
from .job import COMPLETED, ERROR
from .worker import Busy, Invalid, NotReady, ShuttingDown, Unsupported

MAX_BODY = 64 * 1024 * 1024
JOB = r"/(?P<kind>predictions|trainings)"
ROUTES = [
    ("GET", re.compile(r"/"), "index"),
    ("POST", re.compile(r"/shutdown"), "shutdown"),
    ("GET", re.compile(r"/health-check"), "health"),
    ("GET", re.compile(r"/openapi\.json"), "openapi"),
    ("POST", re.compile(JOB), "create"),
    ("GET", re.compile(JOB + r"/(?P<id>[^/]+)"), "get"),
    ("PUT", re.compile(JOB + r"/(?P<id>[^/]+)"), "create"),
    ("POST", re.compile(JOB + r"/(?P<id>[^/]+)/cancel"), "cancel"),
]


class HttpError(Exception):
    def __init__(self, status: int, detail):
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hangar-runtime"

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_OPTIONS(self):
        self._dispatch("OPTIONS")

    def _dispatch(self, method: str) -> None:
        self.close_connection = True
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            matched_path = False
            for route_method, pattern, action in ROUTES:
                match = pattern.fullmatch(path)
                if match:
                    matched_path = True
                    if route_method == method:
                        params = {k: unquote(v) for k, v in match.groupdict().items()}
                        return getattr(self, "_" + action)(**params)
            if matched_path:
                raise HttpError(405, f"method {method} not allowed on {path}")
            raise HttpError(404, f"no such path: {path}")
        except HttpError as e:
            self._send_json(e.status, {"detail": e.detail})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away; nothing to answer

    # --- endpoints ---------------------------------------------------------------------------

    def _index(self):
        # No docs_url: the runtime serves no Swagger page (the CLI's `serve` does).
        body = {"cog_version": _cog_version(), "openapi_url": "/openapi.json",
                "shutdown_url": "/shutdown", "healthcheck_url": "/health-check"}
        for kind in ("predictions", "trainings"):
            if kind == "predictions" or self.server.worker.supports(kind) and self.server.worker.info:
                noun = kind[:-1]
                body.update({f"{kind}_url": f"/{kind}", f"{kind}_idempotent_url": f"/{kind}/{{{noun}_id}}",
                             f"{kind}_cancel_url": f"/{kind}/{{{noun}_id}}/cancel"})
        self._send_json(200, body)

    def _shutdown(self):
        self.server.worker.shutdown(lambda: threading.Thread(target=self.server.shutdown, daemon=True).start())
        self._send_json(200, {})

    def _health(self):
        self._send_json(200, self.server.worker.health())

    def _openapi(self):
        self._send_json(200, openapi.document(self.server.worker))

    def _get(self, kind, id):
        self._send_json(200, self._job(kind, id).to_json())

    def _cancel(self, kind, id):
        self.server.worker.cancel(self._job(kind, id))
        self._send_json(200, {})

    def _create(self, kind, id=None):
        body = self._read_json()
        inputs = body.get("input")
        inputs = {} if inputs is None else inputs
        if not isinstance(inputs, dict):
            raise HttpError(422, [_error(["body", "input"], "value is not a valid dict", "type_error.dict")])
        if id is not None and body.get("id") is not None and str(body.get("id")) != id:
            raise HttpError(422, [_error(["body", "id"], f"prediction ID must match the ID supplied in the URL ({id!r})",
                                         "value_error")])
        request = {k: body.get(k) for k in ("webhook", "webhook_events_filter", "output_file_prefix")}
        try:
            job, created = self.server.worker.submit(kind, id or body.get("id"), inputs, output_dir=body.get("output_dir"),
                                                     context=body.get("context"), request=request)
        except Invalid as e:
            raise HttpError(422, e.detail) from None
        except Busy as e:
            cfg = self.server.worker.config
            raise HttpError(409, f"Already running a prediction ({e}; HANGAR_MAX_CONCURRENCY"
                                 f" {cfg.max_concurrency}, HANGAR_QUEUE_SIZE {cfg.queue_size});"
                                 " retry when a slot is free") from None
        except ShuttingDown:
            raise HttpError(409, "Model shutting down") from None
        except NotReady as e:
            raise HttpError(503, f"not ready: setup is {e}") from None
        except Unsupported:
            raise HttpError(404, f"this processor has no {'train' if kind == 'trainings' else 'predict'}()") from None
        if "text/event-stream" in self.headers.get("Accept", ""):
            self._stream(job)
        elif "respond-async" in self.headers.get("Prefer", ""):
            self._send_json(202, job.accepted_state if created else job.to_json())
        else:
            job.done.wait()
            self._send_json(200, job.to_json())

    def _stream(self, job):
        events = job.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            heartbeat = self.server.worker.config.heartbeat_seconds
            while True:
                event = events.next(heartbeat)
                if event is None:
                    # A comment line keeps the client's read timeout from firing on a quiet job.
                    self.wfile.write(b": keep-alive\n\n")
                    continue
                event_type, data = event
                payload = json.dumps(data, ensure_ascii=False)
                self.wfile.write(f"event: {event_type}\ndata: {payload}\n\n".encode("utf-8"))
                if event_type in (COMPLETED, ERROR):
                    return
        finally:
            job.unsubscribe(events)

    # --- helpers -----------------------------------------------------------------------------

    def _job(self, kind, job_id):
        job = self.server.worker.get(kind, job_id)
        if job is None:
            raise HttpError(404, f"no {kind[:-1]} with id {job_id!r}")
        return job

    def _read_json(self) -> dict:
        raw = self._read_body()
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except UnicodeDecodeError as e:
            raise HttpError(422, [_error(["body", 0], f"request body is not UTF-8: {e}", "value_error.jsondecode")]) from None
        except json.JSONDecodeError as e:
            raise HttpError(422, [_error(["body", e.pos], f"request body is not valid JSON: {e.msg}",
                                         "value_error.jsondecode")]) from None
        if not isinstance(body, dict):
            raise HttpError(422, [_error(["body"], "value is not a valid dict", "type_error.dict")])
        return body

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise HttpError(400, "bad Content-Length") from None
        if length > MAX_BODY:
            raise HttpError(413, f"request body over {MAX_BODY} bytes")
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        data = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise HttpError(400, "bad chunked encoding") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(data)
            if len(data) + size > MAX_BODY:
                raise HttpError(413, f"request body over {MAX_BODY} bytes")
            data += self.rfile.read(size)
            self.rfile.readline(1024)

    def _send_json(self, status: int, body) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def address_string(self):
        return self.client_address[0] if isinstance(self.client_address, tuple) else "unix"

    def log_message(self, format, *args):
        path = getattr(self, "path", "")
        if not path.startswith("/health-check"):
            # Method, path and status only: bodies carry inputs, which may be secret.
            runtime_log(f"{getattr(self, 'command', '-')} {path} -> " + (format % args).rsplit('" ', 1)[-1])


def _error(loc: list, msg: str, kind: str) -> dict:
    """One entry of Cog's 422 `detail` list (FastAPI's validation error shape)."""
    return {"loc": loc, "msg": msg, "type": kind}


def _cog_version() -> str:
    import cog

    return cog.__version__


class ReusedThreads:
    """ThreadingMixIn's thread per connection, without starting one per request: a handler thread
    that is done waits for the next connection (up to MAX_IDLE of them), and a new thread starts
    only when none is idle. A warm runtime answers many small requests in a row; each thread
    start is a scheduling round trip on a busy machine."""

    MAX_IDLE = 16

    def process_request(self, request, client_address):
        with self._pool_lock:
            if self._idle:
                self._idle -= 1
                self._handoff.put((request, client_address))
                return
        threading.Thread(target=self._handler, args=(request, client_address), daemon=True).start()

    def _handler(self, request, client_address):
        while True:
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 -- as ThreadingMixIn: report, then close
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
            with self._pool_lock:
                if self._idle >= self.MAX_IDLE:
                    return
                self._idle += 1
            request, client_address = self._handoff.get()

    def server_activate(self):
        self._pool_lock = threading.Lock()
        self._idle = 0
        self._handoff = queue.SimpleQueue()
        super().server_activate()


class UnixServer(ReusedThreads, socketserver.UnixStreamServer):

    def server_bind(self):
        path = self.server_address
        if os.path.exists(path):
            if not stat.S_ISSOCK(os.stat(path).st_mode):
                raise RuntimeError(f"HANGAR_SOCKET {path} exists and is not a socket")
            os.unlink(path)  # left over from a previous run
        super().server_bind()
        # The executor on the host runs as another user than the container's 10001.
        os.chmod(path, 0o666)

    def server_close(self):
        super().server_close()
        try:
            os.unlink(self.server_address)
        except OSError:
            pass


class TcpServer(ReusedThreads, socketserver.TCPServer):
    allow_reuse_address = True


def make_server(worker):
    cfg = worker.config
    server = UnixServer(cfg.socket, Handler) if cfg.socket else TcpServer((cfg.host, cfg.port), Handler)
    server.worker = worker
    return server
