"""One prediction or training: its Cog-shaped state, its events, and who is listening.

Every way of answering (sync, async, SSE, a repeated PUT) is a subscriber of the same job, so
there is one code path whatever the client asked for.
"""

import queue
import threading
from collections import deque
from datetime import datetime, timezone

from .redact import redact

DONE = "done"
# Events kept for replay to a subscriber that comes late (a retried PUT, a stream opened after
# a fast job ended); past this many, the oldest go, while the full log stays in `logs`.
MAX_REPLAY = 10_000


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


class Job:
    def __init__(self, kind: str, job_id: str, inputs: dict, output_dir=None, execution_id=None):
        self.kind = kind  # "predictions" or "trainings"
        self.id = job_id
        self.input = inputs
        self.output_dir = output_dir  # the request's own folder (a Path), or None for the default
        self.execution_id = execution_id
        self.status = "processing"
        self.output = None
        self.error = None
        self.created_at = now()
        self.started_at = None
        self.completed_at = None
        self.predict_time = None
        self.output_files = []
        self.cancel_requested = False
        self.thread_ident = None  # the worker thread's, while inside predict()/train() (worker.py)
        self.done = threading.Event()
        self._logs = []
        self._events = deque(maxlen=MAX_REPLAY)
        self._subscribers = []
        self._lock = threading.Lock()

    def start(self) -> None:
        self.status = "processing"
        self.started_at = now()

    def log(self, stream: str, line: str) -> None:
        self.publish("log", {"stream": stream, "line": line})

    def publish(self, event_type: str, data: dict) -> None:
        with self._lock:
            if self.done.is_set():
                return
            if event_type == "log":
                self._logs.append(data["line"])
            self._events.append((event_type, data))
            for subscriber in self._subscribers:
                subscriber.put((event_type, data))

    def finish(self, status, output=None, error=None, traceback_text=None, predict_time=None, files=()):
        with self._lock:
            if traceback_text:
                self._logs.extend(traceback_text.rstrip("\n").split("\n"))
            self.status = status
            self.output = output
            self.error = error
            self.predict_time = predict_time
            self.output_files = list(files)
            self.completed_at = now()
            self.done.set()
            body = self._to_json_locked()
            for subscriber in self._subscribers:
                subscriber.put((DONE, body))
            self._subscribers.clear()

    def subscribe(self) -> queue.Queue:
        """A queue of (event_type, data) from the job's start, ending with ("done", state)."""
        q = queue.Queue()
        with self._lock:
            for event in self._events:
                q.put(event)
            if self.done.is_set():
                q.put((DONE, self._to_json_locked()))
            else:
                self._subscribers.append(q)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            if q in self._subscribers:
                self._subscribers.remove(q)

    def to_json(self) -> dict:
        with self._lock:
            return self._to_json_locked()

    def _to_json_locked(self) -> dict:
        body = {
            "id": self.id,
            "status": self.status,
            "input": redact(self.input),
            "output": self.output,
            "error": self.error,
            "logs": "".join(line + "\n" for line in self._logs),
            "created_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "metrics": {} if self.predict_time is None else {"predict_time": self.predict_time},
        }
        if self.done.is_set():
            # Not in Cog: the files this job wrote or changed in the output folder.
            body["output_files"] = self.output_files
        return body
