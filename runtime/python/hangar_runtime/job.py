"""One prediction or training: its Cog-shaped state, its events, and who is listening.

Every way of answering (sync, async, SSE, a repeated PUT, a webhook) watches the same job, so
there is one code path whatever the client asked for.

Events are Cog's SSE events (docs/http.md): `start`, `output {chunk, index}`, `log {source,
data}`, `metric {name, value, mode}`, then `completed` with the final prediction; plus Hangar's
`progress {fraction, message}`. The job keeps the last `history` of them for a stream opened late
(COG_STREAM_HISTORY_CAPACITY, as Cog); a stream that would miss some, because they left the history
before it opened or because it reads slower than the job writes and its backlog passed the limit,
gets an `error` event saying how many were dropped, and ends: never a silent gap.
"""

import threading
from collections import deque
from datetime import datetime, timezone

from .redact import redact

COMPLETED = "completed"
ERROR = "error"
DEFAULT_HISTORY = 1024


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


class Subscription:
    """One stream's view of a job: next() gives (event, data) in order; ERROR on a gap, COMPLETED last."""

    def __init__(self, limit: int):
        self._limit = limit
        self._items = deque()
        self._cond = threading.Condition()
        self._dropped = 0
        self._closed = False

    def put(self, item) -> None:
        with self._cond:
            if self._dropped or self._closed:
                return
            if item[0] != COMPLETED and len(self._items) >= self._limit:
                self._dropped = len(self._items) + 1
                self._items.clear()
            else:
                self._items.append(item)
            self._cond.notify()

    def gap(self, missed: int) -> None:
        with self._cond:
            self._dropped = missed

    def next(self, timeout: float):
        """The next (event, data), or None when nothing came within timeout."""
        with self._cond:
            if not self._items and not self._dropped:
                self._cond.wait(timeout)
            if self._dropped:
                self._closed = True
                return ERROR, {"detail": f"{self._dropped} events were dropped before this stream could send them"
                                         " (the job's event history or this stream's backlog is full;"
                                         " COG_STREAM_HISTORY_CAPACITY); the final state is at GET on the job"}
            if self._items:
                return self._items.popleft()
            return None


class Job:
    def __init__(self, kind: str, job_id: str, inputs: dict, output_dir=None, execution_id=None,
                 kwargs=None, secret_inputs=(), history=DEFAULT_HISTORY, request=None):
        self.kind = kind  # "predictions" or "trainings"
        self.id = job_id
        self.input = inputs  # as the request sent it
        self.kwargs = inputs if kwargs is None else kwargs  # what predict() gets (checked, defaults applied)
        self.secret_inputs = tuple(secret_inputs)
        self.output_dir = output_dir  # the request's own folder (a Path), or None for the default
        self.execution_id = execution_id
        self.request = request or {}  # webhook, webhook_events_filter, output_file_prefix, context
        self.status = "starting"
        self.output = None
        self.error = None
        self.created_at = now()
        self.started_at = None
        self.completed_at = None
        self.predict_time = None
        self.metrics = {}
        self.output_files = []
        self.cancel_requested = False
        self.call = None  # the signature.Call while a typed predictor runs (worker.py)
        self.thread_ident = None  # the worker thread's, while inside predict()/train() (worker.py)
        self.done = threading.Event()
        self.listeners = []  # fn(webhook_event) for "start", "output", "logs", "completed" (webhooks.py)
        self._logs = []
        self._chunks = 0
        self._history = deque(maxlen=history) if history > 0 else None  # 0: live events only, no replay
        self._published = 0
        self._limit = history if history > 0 else DEFAULT_HISTORY
        self._subscribers = []
        self._lock = threading.Lock()

    def start(self) -> None:
        self.status = "processing"
        self.started_at = now()
        self.publish("start", {"id": self.id, "status": "processing"})

    def log(self, stream: str, line: str) -> None:
        self.publish("log", {"source": stream, "data": line + "\n"})

    def output_chunk(self, chunk) -> None:
        """One streamed output item: an `output` event, and the item joins `output` (a list)."""
        with self._lock:
            if self.output is None:
                self.output = []
            self.output.append(chunk)
            index = self._chunks
            self._chunks += 1
        self.publish("output", {"chunk": chunk, "index": index})

    def emit_chunk(self, chunk) -> None:
        """An `output` event that is not part of `output`: a plain processor's emit_token() or yield."""
        with self._lock:
            index = self._chunks
            self._chunks += 1
        self.publish("output", {"chunk": chunk, "index": index})

    def set_output(self, value) -> None:
        self.output = value
        self._notify("output")

    def publish(self, event_type: str, data: dict) -> None:
        with self._lock:
            if self.done.is_set():
                return
            if event_type == "log":
                self._logs.append(data["data"])
            self._published += 1
            if self._history is not None:
                self._history.append((event_type, data))
            for subscriber in self._subscribers:
                subscriber.put((event_type, data))
        if event_type == "log":
            self._notify("logs")
        elif event_type == "output":
            self._notify("output")

    def finish(self, status, output=None, error=None, traceback_text=None, predict_time=None, files=(),
               metrics=None) -> None:
        with self._lock:
            if traceback_text:
                self._logs.extend(line + "\n" for line in traceback_text.rstrip("\n").split("\n"))
            self.status = status
            self.output = output
            self.error = error
            self.predict_time = predict_time
            self.metrics = dict(metrics or {})
            self.output_files = list(files)
            self.completed_at = now()
            self.done.set()
            body = self._to_json_locked()
            for subscriber in self._subscribers:
                subscriber.put((COMPLETED, body))
            self._subscribers.clear()
        self._notify("completed")

    def subscribe(self) -> Subscription:
        """The job's events from its start (as far as the history reaches), ending with COMPLETED."""
        sub = Subscription(self._limit)
        with self._lock:
            kept = list(self._history) if self._history is not None else []
            missed = self._published - len(kept) if self._history is not None else 0
            if missed:
                sub.gap(missed)
                return sub
            for event in kept:
                sub.put(event)
            if self.done.is_set():
                sub.put((COMPLETED, self._to_json_locked()))
            else:
                self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

    def to_json(self) -> dict:
        with self._lock:
            return self._to_json_locked()

    def _notify(self, event: str) -> None:
        for listener in list(self.listeners):
            listener(event)

    def _to_json_locked(self) -> dict:
        shown = {k: ("**********" if k in self.secret_inputs and v is not None else v) for k, v in self.input.items()}
        metrics = dict(self.metrics)
        if self.predict_time is not None:
            metrics["predict_time"] = self.predict_time  # Cog's own metric wins over a custom one
        body = {
            "id": self.id,
            "status": self.status,
            "input": redact(shown),
            "output": list(self.output) if isinstance(self.output, list) else self.output,
            "error": self.error,
            "logs": "".join(self._logs),
            "created_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "metrics": metrics,
        }
        if self.request.get("webhook"):
            body["webhook"] = self.request["webhook"]
        if self.done.is_set():
            # Not in Cog: the files this job wrote or changed in the output folder.
            body["output_files"] = self.output_files
        return body
