"""Runs setup() once, then jobs on HANGAR_MAX_CONCURRENCY worker threads, FIFO.

Up to max concurrency jobs run at once, each on one of the worker threads (started once, so a
warm prediction costs no thread start); up to HANGAR_QUEUE_SIZE more wait in line, and only past
that is a job refused (Busy, 409). Each job has its own output folder, execution id, logs and
events (context.py binds them to the job's thread).

Cancellation follows Cog: a flag the processor can poll, plus an exception raised
asynchronously into the job's thread. The exception comes after a short grace period
(HANGAR_CANCEL_GRACE_SECONDS, default 1), so a processor that polls the flag can stop cleanly
first. It is injected at most once per job and only while that job's thread is inside
predict()/train() (the job's "window"), so it can never land in the runtime's own bookkeeping
or in another job. A queued job that is canceled ends at once, never having run.

Between runs: when a job ends and no other is running or queued, the scrub dirs (/tmp) are
emptied of what runs left there (scrub.py), before the job is reported done.
"""

import ctypes
import inspect
import os
import sys
import threading
import time
import traceback
import uuid
from collections import OrderedDict, deque
from pathlib import Path, PurePosixPath

from . import config, delivery, loader, outputs
from .capture import runtime_log
from .context import Context
from .job import Job, now
from .processor import CancelationException
from .scrub import Scrubber

KEEP_JOBS = 100  # finished jobs remembered for GET and idempotent PUT
MAX_EXECUTION_ID = 256


class Busy(Exception):
    pass


class NotReady(Exception):
    pass


class Unsupported(Exception):
    pass


class Invalid(Exception):
    """A request the runtime will not run as sent; the message says what to fix (422)."""


class Worker:
    def __init__(self, cfg: config.Config, capture):
        self.config = cfg
        self._capture = capture
        self.processor_class = None
        self._processor = None
        self._state = "STARTING"
        self._setup = {"started_at": None, "completed_at": None, "status": None, "logs": ""}
        self._lock = threading.Condition()  # guards the state, the jobs, the slots and the queue
        self._jobs = OrderedDict()  # (kind, id) -> Job
        self._pending = deque()  # accepted, waiting for a worker thread (FIFO)
        self._active = set()  # taken by a worker thread, until their slot is freed
        self._scrubbing = False  # no job starts while the scrub dirs are emptied
        self._cancel_lock = threading.Lock()  # guards each job's window (job.thread_ident)
        self._scrubber = Scrubber(cfg.scrub_dirs, _own_paths(cfg))

    # --- setup -----------------------------------------------------------------------------

    def start_setup(self) -> None:
        threading.Thread(target=self._run_setup, name="hangar-setup", daemon=True).start()

    def _run_setup(self) -> None:
        _make_dir(self.config.output_dir)
        lines = []
        self._setup["started_at"] = now()
        started = time.monotonic()
        with self._capture.sink(Context(lambda stream, line: lines.append(line))):
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
        else:
            # What setup left in /tmp belongs to the container, not to a run: it stays.
            self._scrubber.keep_what_is_there()
            for n in range(self.config.max_concurrency):
                threading.Thread(target=self._serve, name=f"hangar-worker-{n}", daemon=True).start()
        self._setup.update(
            completed_at=now(),
            status="failed" if failure else "succeeded",
            logs="".join(line + "\n" for line in lines),
        )
        with self._lock:
            self._state = "SETUP_FAILED" if failure else "READY"
        if not failure:
            runtime_log(f"setup succeeded in {time.monotonic() - started:.2f}s"
                        f" (max concurrency {self.config.max_concurrency}, queue {self.config.queue_size})")

    def health(self) -> dict:
        with self._lock:
            running, queued = len(self._active), len(self._pending)
            full = running + queued >= self.config.max_concurrency
            status = "BUSY" if self._state == "READY" and full else self._state
        return {
            "status": status,
            "setup": dict(self._setup),
            "concurrency": {"max": self.config.max_concurrency, "running": running, "queued": queued},
        }

    def supports(self, kind: str) -> bool:
        method = "train" if kind == "trainings" else "predict"
        return self.processor_class is None or callable(getattr(self.processor_class, method, None))

    # --- jobs --------------------------------------------------------------------------------

    def submit(self, kind: str, job_id, inputs: dict, output_dir=None, context=None):
        """Accepts a job, or returns the existing one with that id: (job, created).

        output_dir and context are the request's raw fields; Invalid if they are not usable.
        """
        job_id = str(job_id) if job_id else uuid.uuid4().hex
        with self._lock:
            existing = self._jobs.get((kind, job_id))
        if existing:
            return existing, False
        folder = None if output_dir is None else run_output_dir(output_dir, self.config.runs_dir)
        execution_id = _execution_id(context)
        with self._lock:
            existing = self._jobs.get((kind, job_id))
            if existing:
                return existing, False
            if self._state != "READY":
                raise NotReady(self._state)
            if not self.supports(kind):
                raise Unsupported(kind)
            taken = len(self._active) + len(self._pending)
            if taken >= self.config.max_concurrency + self.config.queue_size:
                raise Busy(f"{len(self._active)} running, {len(self._pending)} queued")
            job = Job(kind, job_id, inputs, output_dir=folder, execution_id=execution_id)
            if taken >= self.config.max_concurrency:
                job.status = "starting"  # Cog's word for accepted, not yet running
            self._remember(job)
            self._pending.append(job)
            self._lock.notify()
        return job, True

    def get(self, kind: str, job_id: str):
        with self._lock:
            return self._jobs.get((kind, job_id))

    def cancel(self, job: Job) -> None:
        with self._cancel_lock:
            if job.done.is_set() or job.cancel_requested:
                return
            job.cancel_requested = True
        with self._lock:
            queued = job in self._pending
            if queued:
                self._pending.remove(job)
        if queued:
            job.finish("canceled", predict_time=0.0)
            runtime_log(f"{job.kind[:-1]} {job.id} canceled while queued")
            return
        timer = threading.Timer(self.config.cancel_grace_seconds, self._interrupt, args=(job,))
        timer.daemon = True
        timer.start()

    def _interrupt(self, job: Job) -> None:
        with self._cancel_lock:
            if job.thread_ident is not None:
                _raise_in_thread(job.thread_ident, CancelationException)

    def _remember(self, job: Job) -> None:
        self._jobs[(job.kind, job.id)] = job
        while len(self._jobs) > KEEP_JOBS:
            oldest_key, oldest = next(iter(self._jobs.items()))
            if not oldest.done.is_set():
                break
            del self._jobs[oldest_key]

    def _serve(self) -> None:
        """One worker thread: takes the oldest accepted job whenever no scrub is under way."""
        while True:
            with self._lock:
                while not self._pending or self._scrubbing:
                    self._lock.wait()
                job = self._pending.popleft()
                self._active.add(job)
            self._run(job)

    def _run(self, job: Job) -> None:
        try:
            self._run_job(job)
        except BaseException:  # a bug in the runtime itself: say so rather than hang callers
            tb = traceback.format_exc()
            runtime_log("internal error, the runtime is now DEFUNCT:\n" + tb)
            with self._lock:
                self._state, self._scrubbing = "DEFUNCT", False
                self._active.discard(job)
                self._lock.notify_all()
                stranded = list(self._pending)
                self._pending.clear()
            job.finish("failed", error="runtime internal error", traceback_text=tb)
            for other in stranded:
                other.finish("failed", error="runtime internal error: the runtime is DEFUNCT")

    def _run_job(self, job: Job) -> None:
        method = "train" if job.kind == "trainings" else "predict"
        output_dir = job.output_dir or self.config.output_dir
        if job.output_dir is None:
            _make_dir(output_dir)  # a request's own folder exists: the executor made it
        before = outputs.snapshot(output_dir)
        job.start()
        started = time.monotonic()
        status, output, error, tb = "succeeded", None, None, None
        ctx = Context(job.log, job, output_dir, job.execution_id or config.execution_id())
        with self._capture.sink(ctx):
            try:
                outcome, value = self._call(job, getattr(self._processor, method), job.input)
                if outcome == "ok":
                    output = outputs.collect(value, output_dir, create=job.output_dir is None)
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
        self._free_slot(job)  # first, so a client told "done" can start the next job
        job.finish(status, output=output, error=error, traceback_text=tb, predict_time=elapsed, files=files)
        runtime_log(f"{job.kind[:-1]} {job.id} {status} in {elapsed:.2f}s")

    def _free_slot(self, job: Job) -> None:
        """Ends the job's hold on its slot; the last job out empties the scrub dirs first."""
        with self._lock:
            scrub = self._active == {job} and not self._pending
            self._scrubbing = scrub
        if scrub:
            try:
                self._scrubber.scrub()
            except Exception:  # noqa: BLE001 -- a scrub that fails must not fail the run
                runtime_log("scrubbing failed:\n" + traceback.format_exc())
        with self._lock:
            self._scrubbing = False
            self._active.discard(job)
            self._lock.notify_all()

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
                self._close_window(job)
        except CancelationException:
            self._close_window(job)  # when it landed just as the window was closing
            return "canceled", None

    def _open_window(self, job: Job) -> bool:
        with self._cancel_lock:
            if job.cancel_requested:
                return False
            job.thread_ident = threading.get_ident()
            return True

    def _close_window(self, job: Job) -> None:
        with self._cancel_lock:
            ident, job.thread_ident = job.thread_ident, None
            if ident is not None and job.cancel_requested:
                _raise_in_thread(ident, None)  # drop an injected exception not yet raised


def run_output_dir(raw, runs_dir: Path) -> Path:
    """The request's output_dir, if it is an existing folder strictly under runs_dir; else Invalid."""
    where = f"an absolute path strictly under HANGAR_RUNS_DIR ({runs_dir})"
    if not isinstance(raw, str) or not raw:
        raise Invalid(f"`output_dir` must be a string: {where}")
    if not os.path.isabs(raw):
        raise Invalid(f"`output_dir` {raw!r} is relative; it must be {where}")
    if ".." in PurePosixPath(raw).parts:
        raise Invalid(f"`output_dir` {raw!r} contains `..`; it must be {where}, without `..`")
    path, root = Path(raw), Path(os.path.abspath(runs_dir))
    if path == root or not path.is_relative_to(root):
        raise Invalid(f"`output_dir` {raw!r} is not {where}")
    try:
        real, real_root = path.resolve(), root.resolve()
        is_dir = real.is_dir()
    except (OSError, ValueError) as e:
        raise Invalid(f"`output_dir` {raw!r} cannot be used: {e}") from None
    if real == real_root or not real.is_relative_to(real_root):
        raise Invalid(f"`output_dir` {raw!r} leads (through a symbolic link) to {real}, outside HANGAR_RUNS_DIR")
    if not is_dir:
        raise Invalid(f"`output_dir` {raw!r} does not exist or is not a folder; create it before the prediction")
    return path


def _execution_id(context) -> str | None:
    if context is None:
        return None
    if not isinstance(context, dict):
        raise Invalid("`context` must be a JSON object, like {\"execution_id\": \"...\"}")
    value = context.get("execution_id")
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_EXECUTION_ID:
        raise Invalid(f"`context.execution_id` must be a non-empty string of at most {MAX_EXECUTION_ID} characters")
    return value


def _own_paths(cfg: config.Config) -> list:
    """What the runtime itself needs and a scrub must never remove, wherever it lives."""
    paths = [cfg.socket, cfg.output_dir, cfg.runs_dir, cfg.input_schema_file, cfg.secrets_socket,
             cfg.egress_socket, cfg.predictor.rsplit(":", 1)[0], os.getcwd(), *sys.path]
    return [Path(p) for p in paths if p]


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
