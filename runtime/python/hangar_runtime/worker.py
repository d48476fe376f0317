"""Runs setup() once and then one job at a time, each on its own thread.

Cancellation follows Cog: a flag the processor can poll, plus an exception raised
asynchronously into the job's thread. The exception comes after a short grace period
(HANGAR_CANCEL_GRACE_SECONDS, default 1), so a processor that polls the flag can stop cleanly
first. It is injected at most once per job and only while the thread is inside
predict()/train() (the "window"), so it can never land in the runtime's own bookkeeping.
"""

import ctypes
import inspect
import sys
import threading
import time
import traceback
import uuid
from collections import OrderedDict

from . import config, delivery, loader, outputs
from .capture import runtime_log
from .job import Job, now
from .processor import CancelationException

KEEP_JOBS = 100  # finished jobs remembered for GET and idempotent PUT


class Busy(Exception):
    pass


class NotReady(Exception):
    pass


class Unsupported(Exception):
    pass


class _Context:
    """What Processor's helpers reach through `self._hangar_ctx` during one job."""

    def __init__(self, job: Job):
        self._job = job

    @property
    def canceled(self) -> bool:
        return self._job.cancel_requested

    def emit_token(self, text) -> None:
        self._job.publish("token", {"text": str(text)})

    def progress(self, fraction, message=None) -> None:
        fraction = min(1.0, max(0.0, float(fraction)))
        self._job.publish("progress", {"fraction": fraction, "message": None if message is None else str(message)})


class Worker:
    def __init__(self, cfg: config.Config, capture):
        self.config = cfg
        self._capture = capture
        self.processor_class = None
        self._processor = None
        self._state = "STARTING"
        self._setup = {"started_at": None, "completed_at": None, "status": None, "logs": ""}
        self._lock = threading.Lock()
        self._jobs = OrderedDict()  # (kind, id) -> Job
        self._running = None
        self._cancel_lock = threading.Lock()
        self._window = None  # (job, thread ident) while inside predict()/train()

    # --- setup -----------------------------------------------------------------------------

    def start_setup(self) -> None:
        threading.Thread(target=self._run_setup, name="hangar-setup", daemon=True).start()

    def _run_setup(self) -> None:
        _make_dir(self.config.output_dir)
        lines = []
        self._setup["started_at"] = now()
        started = time.monotonic()
        with self._capture.sink(lambda stream, line: lines.append(line)):
            try:
                if self.config.mode not in config.MODES:
                    raise ValueError(f"HANGAR_MODE must be one of {', '.join(config.MODES)}, got {self.config.mode!r}")
                # Before any processor code runs: it must see its secrets and proxy, and take neither first.
                if self.config.secrets_socket:
                    delivery.receive_secrets(self.config.secrets_socket)
                if self.config.egress_socket:
                    delivery.start_egress_forwarder(self.config.egress_socket, self.config.egress_port)
                self.processor_class = loader.load_class(self.config.predictor)
                processor = self.processor_class()
                if hasattr(processor, "setup"):
                    processor.setup()
                self._processor = processor
                failure = None
            except BaseException:  # noqa: BLE001 -- any failure, even SystemExit, is SETUP_FAILED
                failure = traceback.format_exc()
        if failure:
            lines.extend(failure.rstrip("\n").split("\n"))
            runtime_log("setup failed:\n" + failure)
        self._setup.update(
            completed_at=now(),
            status="failed" if failure else "succeeded",
            logs="".join(line + "\n" for line in lines),
        )
        with self._lock:
            self._state = "SETUP_FAILED" if failure else "READY"
        if not failure:
            runtime_log(f"setup succeeded in {time.monotonic() - started:.2f}s")

    def health(self) -> dict:
        with self._lock:
            status = "BUSY" if self._state == "READY" and self._running else self._state
        return {"status": status, "setup": dict(self._setup)}

    def supports(self, kind: str) -> bool:
        method = "train" if kind == "trainings" else "predict"
        return self.processor_class is None or callable(getattr(self.processor_class, method, None))

    # --- jobs --------------------------------------------------------------------------------

    def submit(self, kind: str, job_id, inputs: dict):
        """Starts a job, or returns the existing one with that id: (job, created)."""
        job_id = str(job_id) if job_id else uuid.uuid4().hex
        with self._lock:
            existing = self._jobs.get((kind, job_id))
            if existing:
                return existing, False
            if self._state != "READY":
                raise NotReady(self._state)
            if not self.supports(kind):
                raise Unsupported(kind)
            if self._running:
                raise Busy(self._running.id)
            job = Job(kind, job_id, inputs)
            self._remember(job)
            self._running = job
        threading.Thread(target=self._run, args=(job,), name=f"hangar-{kind}-{job_id}", daemon=True).start()
        return job, True

    def get(self, kind: str, job_id: str):
        with self._lock:
            return self._jobs.get((kind, job_id))

    def cancel(self, job: Job) -> None:
        with self._cancel_lock:
            if job.done.is_set() or job.cancel_requested:
                return
            job.cancel_requested = True
        timer = threading.Timer(self.config.cancel_grace_seconds, self._interrupt, args=(job,))
        timer.daemon = True
        timer.start()

    def _interrupt(self, job: Job) -> None:
        with self._cancel_lock:
            if self._window and self._window[0] is job:
                _raise_in_thread(self._window[1], CancelationException)

    def _remember(self, job: Job) -> None:
        self._jobs[(job.kind, job.id)] = job
        while len(self._jobs) > KEEP_JOBS:
            oldest_key, oldest = next(iter(self._jobs.items()))
            if not oldest.done.is_set():
                break
            del self._jobs[oldest_key]

    def _run(self, job: Job) -> None:
        try:
            self._run_job(job)
        except BaseException:  # a bug in the runtime itself: say so rather than hang callers
            tb = traceback.format_exc()
            runtime_log("internal error, the runtime is now DEFUNCT:\n" + tb)
            with self._lock:
                self._state, self._running = "DEFUNCT", None
            job.finish("failed", error="runtime internal error", traceback_text=tb)

    def _run_job(self, job: Job) -> None:
        method = "train" if job.kind == "trainings" else "predict"
        output_dir = self.config.output_dir
        try:
            self._processor._hangar_ctx = _Context(job)
        except AttributeError:
            pass  # a class with __slots__ simply has no helpers
        _make_dir(output_dir)
        before = outputs.snapshot(output_dir)
        job.start()
        started = time.monotonic()
        status, output, error, tb = "succeeded", None, None, None
        with self._capture.sink(job.log):
            try:
                outcome, value = self._call(job, getattr(self._processor, method), job.input)
                if outcome == "ok":
                    output = outputs.collect(value, output_dir)
                else:
                    status = "canceled"
            except BaseException as exc:  # noqa: BLE001 -- a processor failure is a failed job, not a crash
                status, error, tb = "failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()
                # The real stderr: the traceback joins the job's logs once, in finish().
                print(tb, end="", file=sys.__stderr__, flush=True)
        if job.cancel_requested:
            status, error = "canceled", None
        elapsed = round(time.monotonic() - started, 6)
        files = outputs.changed_files(output_dir, before) if output_dir.is_dir() else []
        with self._lock:
            self._running = None  # free the slot first, so a client told "done" can start the next job
        job.finish(status, output=output, error=error, traceback_text=tb, predict_time=elapsed, files=files)
        runtime_log(f"{job.kind[:-1]} {job.id} {status} in {elapsed:.2f}s")

    def _call(self, job: Job, fn, inputs: dict):
        try:
            try:
                if not self._open_window(job):
                    return "canceled", None
                result = fn(**inputs)
                if inspect.isgenerator(result):
                    result = _drain(job, result)
                return "ok", result
            finally:
                self._close_window()
        except CancelationException:
            return "canceled", None

    def _open_window(self, job: Job) -> bool:
        with self._cancel_lock:
            if job.cancel_requested:
                return False
            self._window = (job, threading.get_ident())
            return True

    def _close_window(self) -> None:
        with self._cancel_lock:
            if self._window:
                job, ident = self._window
                self._window = None
                if job.cancel_requested:
                    _raise_in_thread(ident, None)  # drop an injected exception not yet raised


def _make_dir(path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # reported when a processor or collect() actually writes there
        runtime_log(f"cannot create the output folder {path}: {e.strerror}")


def _drain(job: Job, generator) -> list:
    """Cog-style iterator outputs: collect the items, streaming strings as tokens."""
    items = []
    for item in generator:
        items.append(item)
        if isinstance(item, str):
            job.publish("token", {"text": item})
    return items


def _raise_in_thread(ident: int, exc_type) -> None:
    exc = ctypes.py_object(exc_type) if exc_type is not None else None
    changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), exc)
    if changed > 1:  # cannot happen with a valid ident; undo rather than hit other threads
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
