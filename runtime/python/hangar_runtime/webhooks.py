"""Cog's webhooks, signed as Standard Webhooks define (https://www.standardwebhooks.com).

A request's `webhook` URL gets the prediction object (JSON, POST) at the events named in
`webhook_events_filter` (default all): `start` and `completed` at once, `output` and `logs` at
most once every 500 ms, as Cog (the state at the end of the interval, so none is lost). Each
delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64
HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>` when HANGAR_WEBHOOK_SECRET (`whsec_<base64>`) is
set. Not in Cog: the terminal (`completed`) delivery is retried with exponential backoff while
the receiver fails (5xx, 429, no answer); the others are tried once. With HANGAR_WEBHOOK_SOCKET
(a container with no network, `hangar serve`) each delivery goes to the CLI's relay on that unix
socket, which makes the POST.
"""

import base64
import http.client
import socket
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

from .capture import runtime_log

EVENTS = ("start", "output", "logs", "completed")
THROTTLE_SECONDS = 0.5
TIMEOUT_SECONDS = 10


class WebhookError(ValueError):
    """A webhook field of the request that cannot be used; (field, message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def parse_secret(text: str | None) -> bytes | None:
    """The signing key of a `whsec_<base64>` secret (the prefix is optional); ValueError if not base64."""
    if not text:
        return None
    raw = text[len("whsec_"):] if text.startswith("whsec_") else text
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        raise ValueError("HANGAR_WEBHOOK_SECRET must be whsec_ followed by base64 (Standard Webhooks)") from None
    if not key:
        raise ValueError("HANGAR_WEBHOOK_SECRET is empty after whsec_")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def check_request(webhook, events_filter) -> tuple:
    """(url or None, set of events); WebhookError naming the field when either is unusable."""
    if webhook is None:
        return None, set(EVENTS)
    if not isinstance(webhook, str) or not webhook.lower().startswith(("http://", "https://")):
        raise WebhookError("webhook", "webhook must be an http(s) URL")
    if events_filter is None:
        return webhook, set(EVENTS)
    if not isinstance(events_filter, list) or any(e not in EVENTS for e in events_filter):
        raise WebhookError("webhook_events_filter",
                           f"webhook_events_filter must be a list of {', '.join(EVENTS)}")
    return webhook, set(events_filter)


class Sender:
    """Delivers one job's webhooks in order, on a thread of its own, so the job never waits on them."""

    def __init__(self, job, url: str, events: set, key: bytes | None, retries: int, backoff: float,
                 relay: str | None = None):
        self._relay = relay  # HANGAR_WEBHOOK_SOCKET: no network here, the CLI delivers (see post_via_socket)
        self._job = job
        self._url = url
        self._events = events
        self._key = key
        self._retries = retries
        self._backoff = backoff
        self._cond = threading.Condition()
        self._queue = []  # events to deliver, in order
        self._throttled_pending = False
        self._last_throttled = 0.0
        self.finished = threading.Event()  # set once the terminal delivery is done (or given up)
        threading.Thread(target=self._loop, name=f"hangar-webhook-{job.id}", daemon=True).start()

    def __call__(self, event: str) -> None:
        if event not in self._events:
            return
        throttled = event in ("output", "logs")
        # start and completed carry the state of that moment; a throttled one the state when it is sent.
        body = None if throttled else self._body()
        with self._cond:
            if throttled:
                if self._throttled_pending:
                    return  # the pending delivery will carry this state too
                self._throttled_pending = True
            self._queue.append((event, body))
            self._cond.notify()

    def _body(self) -> bytes:
        return json.dumps(self._job.to_json(), ensure_ascii=False).encode("utf-8")

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                event, body = self._queue.pop(0)
            if body is None:
                wait = self._last_throttled + THROTTLE_SECONDS - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                with self._cond:
                    self._throttled_pending = False
                    if any(queued == "completed" for queued, _ in self._queue):
                        continue  # the terminal state follows; it carries everything
                self._last_throttled = time.monotonic()
            terminal = event == "completed"
            if terminal:
                try:
                    self._deliver(body or self._body(), terminal)
                finally:
                    self.finished.set()
                return
            self._deliver(body or self._body(), terminal)

    def _deliver(self, body: bytes, terminal: bool) -> None:
        msg_id = "msg_" + uuid.uuid4().hex  # the same id on every retry, so the receiver can dedupe
        attempts = 1 + (self._retries if terminal else 0)
        for attempt in range(attempts):
            timestamp = int(time.time())
            headers = {"Content-Type": "application/json", "User-Agent": "hangar-runtime",
                       "webhook-id": msg_id, "webhook-timestamp": str(timestamp)}
            if self._key:
                headers["webhook-signature"] = sign(self._key, msg_id, timestamp, body)
            reason = None
            try:
                if self._relay:
                    status = post_via_socket(self._relay, self._url, body, headers)
                    if status // 100 == 2:
                        return
                    raise urllib.error.HTTPError(self._url, status, "refused", None, None)
                request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                    response.read(65536)
                return
            except urllib.error.HTTPError as e:
                reason = f"HTTP {e.code}"
                if e.code < 500 and e.code != 429:
                    break  # the receiver refused it; sending it again will not help
            except OSError as e:
                reason = str(getattr(e, "reason", e))
            if attempt + 1 < attempts:
                time.sleep(self._backoff * (2 ** attempt))
        runtime_log(f"webhook for {self._job.kind[:-1]} {self._job.id} not delivered: {reason}")


def post_via_socket(relay: str, url: str, body: bytes, headers: dict) -> int:
    """POSTs one delivery to the CLI's webhook relay (a unix socket in the run folder, `hangar serve`):
    the URL in `X-Webhook-URL`, the signed headers and body as they are; returns the status the
    receiver answered (the relay's 502 when it could not reach it). OSError when the relay is gone."""
    conn = http.client.HTTPConnection("localhost", timeout=TIMEOUT_SECONDS * 2)
    conn.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.sock.settimeout(TIMEOUT_SECONDS * 2)
        conn.sock.connect(relay)
        conn.request("POST", "/", body=body, headers={**headers, "X-Webhook-URL": url, "Content-Length": str(len(body))})
        response = conn.getresponse()
        response.read(65536)
        return response.status
    finally:
        conn.close()
