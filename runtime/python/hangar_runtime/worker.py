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

Cog predictors (BasePredictor, BaseRunner, the older cog.Predictor) are read by signature.py: their
inputs are checked (and defaults applied) before a job is accepted, file inputs are fetched into the
job's own folder, the call may be async (an async job is canceled on the event loop, not by an
injected exception), iterators stream as `output` events, and `record_metric` fills `metrics`.
A plain Hangar processor (untyped predict(**inputs)) gets its input unchanged, as before.
"""

import base64
import ctypes
import inspect
import mimetypes
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import OrderedDict, deque
from pathlib import Path, PurePosixPath

import cog.scope as cog_scope

from . import config, delivery, loader, outputs, signature, uploads, webhooks
from .capture import runtime_log
from .context import Context
from .job import Job, now
from .processor import CancelationException
from .scrub import Scrubber

KEEP_JOBS = 100  # finished jobs remembered for GET and idempotent PUT
MAX_EXECUTION_ID = 256
SHUTDOWN_WEBHOOK_WAIT_SECONDS = 30  # POST /shutdown waits this long at most for terminal webhooks


class Busy(Exception):
    pass


class NotReady(Exception):
    pass


class Unsupported(Exception):
    pass


class Invalid(Exception):
    """A request the runtime will not run as sent (422); detail is Cog's list of {loc, msg, type}."""

    def __init__(self, message: str, field: str = "body", kind: str = "value_error", detail=None):
        super().__init__(message)
        loc = ["body"] + ([field] if field != "body" else [])
        self.detail = detail if detail is not None else [{"loc": loc, "msg": message, "type": kind}]


class ShuttingDown(Exception):
    pass


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
        self._shutting_down = False
        self._setup_lines = []
        self.info = None  # {"predictions": Signature, "trainings"?: Signature} once loaded
        self._trainer = None  # HANGAR_TRAINER's function or class, when set
        self._trainer_instance = None
        self._healthcheck = None  # (thread, result box) of the latest user healthcheck()
        self._senders = []  # webhook senders whose terminal delivery may still be under way

    # --- setup -----------------------------------------------------------------------------

    def start_setup(self) -> None:
        threading.Thread(target=self._setup_with_timeout, name="hangar-setup-watch", daemon=True).start()

    def _setup_with_timeout(self) -> None:
        """Runs setup on its own thread; past HANGAR_SETUP_TIMEOUT_SECONDS it is SETUP_FAILED and interrupted."""
        thread = threading.Thread(target=self._run_setup, name="hangar-setup", daemon=True)
        thread.start()
        limit = self.config.setup_timeout_seconds
        thread.join(limit if limit > 0 else None)
        if not thread.is_alive():
            return
        message = (f"setup did not finish within {limit:g}s (HANGAR_SETUP_TIMEOUT_SECONDS);"
                   " the runtime gave up on it: SETUP_FAILED")
        with self._lock:
            if self._state != "STARTING":
                return
            self._state = "SETUP_FAILED"
        self._setup.update(completed_at=now(), status="failed",
                           logs=self._setup_lines_text() + message + "\n")
        runtime_log(message)
        _raise_in_thread(thread.ident, CancelationException)  # best effort: a blocking C call ignores it

    def _setup_lines_text(self) -> str:
        return "".join(line + "\n" for line in list(self._setup_lines))

    def _run_setup(self) -> None:
        _make_dir(self.config.output_dir)
        lines = self._setup_lines = []
        self._setup["started_at"] = now()
        self._setup["status"] = "starting"
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
                self._load_signatures()
                processor = self.processor_class() if inspect.isclass(self.processor_class) else None
                if processor is not None:
                    signature.run_setup(processor, weights=_weights(processor, self.config.weights))
                self._processor = processor
                failure = None
            except BaseException:  # noqa: BLE001 -- any failure, even SystemExit, is SETUP_FAILED
                failure = traceback.format_exc()
        with self._lock:
            if self._state != "STARTING":  # the setup timeout already gave up on it
                return
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

    def _load_signatures(self) -> None:
        """Reads predict()'s (and train()'s) interface; a plain Hangar class reads as untyped."""
        cls = self.processor_class
        if not inspect.isclass(cls):
            raise ValueError(f"HANGAR_PREDICTOR must name a class, got {type(cls).__name__}")
        self.info = {"predictions": signature.inspect_predictor(cls)}
        if self.config.trainer:  # Cog's `train: "train.py:train"`: a function (or a class of its own)
            self._trainer = loader.load_class(self.config.trainer)
            # a class (`train: "predict.py:Predictor"`) trains with its train() method
            method = "train" if inspect.isclass(self._trainer) and callable(getattr(self._trainer, "train", None)) else None
            self.info["trainings"] = signature.inspect_predictor(self._trainer, method)
        elif callable(getattr(cls, "train", None)):
            self.info["trainings"] = signature.inspect_predictor(cls, "train")

    def health(self) -> dict:
        with self._lock:
            running, queued = len(self._active), len(self._pending)
            full = running + queued >= self.config.max_concurrency
            status = "BUSY" if self._state == "READY" and full else self._state
        body = {
            "status": status,
            "setup": dict(self._setup),
            "concurrency": {"max": self.config.max_concurrency, "running": running, "queued": queued},
            "version": {"cog": _cog_version(), "python": sys.version.split()[0], "hangar_runtime": _runtime_version()},
        }
        if status in ("READY", "BUSY"):
            error = self._user_healthcheck()
            if error is not None:
                body["status"] = "UNHEALTHY"
                body["user_healthcheck_error"] = error
        return body

    def _user_healthcheck(self):
        """None when the predictor has no healthcheck() or it returned truthy; else why it is unhealthy."""
        check = getattr(self._processor, "healthcheck", None)
        if not callable(check):
            return None
        box = {}

        def run():
            try:
                result = check()
                if inspect.isawaitable(result):
                    result = signature.default_loop().run(result)
                box["ok"] = bool(result)
            except BaseException as e:  # noqa: BLE001 -- a failing check is an unhealthy model
                box["error"] = f"healthcheck() raised {type(e).__name__}: {e}"

        limit = self.config.healthcheck_timeout_seconds
        with self._lock:
            previous = self._healthcheck
            if previous is not None and previous[0].is_alive():  # one check at a time: wait on the running one
                thread, box = previous
            else:
                thread = threading.Thread(target=run, name="hangar-healthcheck", daemon=True)
                self._healthcheck = (thread, box)
                thread.start()
        thread.join(limit)
        if thread.is_alive():
            return f"healthcheck() did not answer within {limit:g}s (HANGAR_HEALTHCHECK_TIMEOUT_SECONDS)"
        if "error" in box:
            return box["error"]
        return None if box.get("ok") else "healthcheck() returned False"

    def supports(self, kind: str) -> bool:
        info = getattr(self, "info", None)
        return info is None or kind in info

    def signature_of(self, kind: str):
        info = getattr(self, "info", None)
        return None if info is None else info.get(kind)

    # --- jobs --------------------------------------------------------------------------------

    def submit(self, kind: str, job_id, inputs: dict, output_dir=None, context=None, request=None):
        """Accepts a job, or returns the existing one with that id: (job, created).

        inputs, output_dir and context are the request's raw fields; Invalid if they are not
        usable (inputs are checked against a Cog predictor's signature here, before any job exists).
        """
        job_id = str(job_id) if job_id else uuid.uuid4().hex
        with self._lock:
            existing = self._jobs.get((kind, job_id))
            state = self._state
        if existing:
            return existing, False
        if state != "READY":
            raise NotReady(state)
        if self._shutting_down:
            raise ShuttingDown()
        if not self.supports(kind):
            raise Unsupported(kind)
        request = dict(request or {})
        try:
            url, events = webhooks.check_request(request.get("webhook"), request.get("webhook_events_filter"))
        except webhooks.WebhookError as e:
            raise Invalid(str(e), e.field) from None
        prefix = request.get("output_file_prefix")
        if prefix is not None and (not isinstance(prefix, str) or not prefix.lower().startswith(("http://", "https://"))):
            raise Invalid("output_file_prefix must be an http(s) URL", "output_file_prefix")
        info = self.signature_of(kind)
        kwargs = inputs
        if info is not None and info.typed:
            try:
                kwargs = signature.check_inputs(info, inputs)
            except signature.InputValidationError as e:
                raise Invalid(str(e), detail=e.detail) from None
        folder = None if output_dir is None else run_output_dir(output_dir, self.config.runs_dir)
        execution_id = _execution_id(context)
        with self._lock:
            existing = self._jobs.get((kind, job_id))
            if existing:
                return existing, False
            if self._state != "READY":
                raise NotReady(self._state)
            taken = len(self._active) + len(self._pending)
            if taken >= self.config.max_concurrency + self.config.queue_size:
                raise Busy(f"{len(self._active)} running, {len(self._pending)} queued")
            job = Job(kind, job_id, inputs, output_dir=folder, execution_id=execution_id, kwargs=kwargs,
                      secret_inputs=info.secret_inputs if info is not None else (),
                      history=self.config.stream_history,
                      request={**request, "context": context if isinstance(context, dict) else {}})
            if url:
                sender = webhooks.Sender(job, url, events, self.config.webhook_key,
                                         self.config.webhook_retries, self.config.webhook_backoff_seconds,
                                         self.config.webhook_socket)
                job.listeners.append(sender)
                self._senders = [s for s in self._senders if not s.finished.is_set()] + [sender]
            self._remember(job)
            job.accepted_state = job.to_json()  # what a 202 answers: Cog's `starting`, before any worker takes it
            self._pending.append(job)
            self._lock.notify()
        job._notify("start")
        return job, True

    def get(self, kind: str, job_id: str):
        with self._lock:
            return self._jobs.get((kind, job_id))

    def shutdown(self, stop_server) -> None:
        """POST /shutdown: accepts no new job, lets the running and queued ones finish, then stops."""
        with self._lock:
            self._shutting_down = True

        def drain():
            with self._lock:
                while self._active or self._pending:
                    self._lock.wait(0.5)
                senders = list(self._senders)
            deadline = time.monotonic() + SHUTDOWN_WEBHOOK_WAIT_SECONDS
            for sender in senders:  # the terminal webhooks still being delivered (or retried)
                sender.finished.wait(max(0.0, deadline - time.monotonic()))
            runtime_log("shutdown requested: no job left, stopping")
            stop_server()

        threading.Thread(target=drain, name="hangar-shutdown", daemon=True).start()

    def cancel(self, job: Job) -> None:
        with self._cancel_lock:
            if job.done.is_set() or job.cancel_requested:
                return
            job.cancel_requested = True
            call = job.call
        with self._lock:
            queued = job in self._pending
            if queued:
                self._pending.remove(job)
        if queued:
            job.finish("canceled", predict_time=0.0)
            runtime_log(f"{job.kind[:-1]} {job.id} canceled while queued")
            return
        if call is not None and call.cancel():
            return  # an async task: canceled on the event loop (asyncio.CancelledError inside predict)
        timer = threading.Timer(self.config.cancel_grace_seconds, self._interrupt, args=(job,))
        timer.daemon = True
        timer.start()

    def _interrupt(self, job: Job) -> None:
        with self._cancel_lock:
            call = job.call
            if call is not None and call.cancel():
                return  # it reached an await since: cancel that task instead
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
        info = self.signature_of(job.kind)
        typed = info is not None and info.typed
        output_dir = job.output_dir or self.config.output_dir
        if job.output_dir is None:
            _make_dir(output_dir)  # a request's own folder exists: the executor made it
        before = outputs.snapshot(output_dir)
        job.start()
        started = time.monotonic()
        status, output, error, tb = "succeeded", None, None, None
        input_dir, kwargs, metrics = None, job.kwargs, {}
        ctx = Context(job.log, job, output_dir, job.execution_id or config.execution_id())
        scope = cog_scope.Scope(on_record=lambda name, value, mode: job.publish(
            "metric", {"name": name, "value": value, "mode": mode}), context=job.request.get("context"))
        with self._capture.sink(ctx), cog_scope.use_scope(scope):
            try:
                if typed:
                    input_dir = _job_input_dir(job.output_dir)
                    kwargs = signature.resolve_files(job.kwargs, input_dir)
                fn = info.entry(self._target(job.kind))
                outcome = self._call(job, fn, kwargs, typed, output_dir)
                if outcome != "ok":
                    status = "canceled"
            except BaseException as exc:  # noqa: BLE001 -- a processor failure is a failed job, not a crash
                status, error, tb = "failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()
                if isinstance(exc, signature.InputFetchError):
                    error = str(exc)
                # The real stderr: the traceback joins the job's logs once, in finish().
                print(tb, end="", file=sys.__stderr__, flush=True)
            finally:
                if typed:
                    signature.close_inputs(kwargs)
                if input_dir is not None:
                    shutil.rmtree(input_dir, ignore_errors=True)
            metrics = scope.metrics.to_dict()
        if job.cancel_requested:
            status, error = "canceled", None
        elapsed = round(time.monotonic() - started, 6)
        files = outputs.changed_files(output_dir, before) if output_dir.is_dir() else []
        self._free_slot(job)  # first, so a client told "done" can start the next job
        job.finish(status, output=job.output if status == "succeeded" else None, error=error, traceback_text=tb,
                   predict_time=elapsed, files=files, metrics=metrics)
        runtime_log(f"{job.kind[:-1]} {job.id} {status} in {elapsed:.2f}s")

    def _target(self, kind: str):
        """What info.entry() binds: the predictor instance, or a train function itself (a trainer class: an instance)."""
        trainer = self._trainer
        if kind == "trainings" and trainer is not None:
            if inspect.isclass(trainer):
                if self._trainer_instance is None:
                    self._trainer_instance = trainer()
                    signature.run_setup(self._trainer_instance)
                return self._trainer_instance
            return trainer
        return self._processor

    def _uploader(self, job: Job):
        prefix = job.request.get("output_file_prefix")
        if self.config.upload_socket and not prefix:
            # `hangar serve --upload-url`: the container has no network; the CLI uploads what this hands it.
            relay = self.config.upload_socket
            return lambda path: uploads.put_via_socket(relay, path, job.id)
        base = prefix or self.config.upload_url
        return None if not base else (lambda path: uploads.put_file(base, path))

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

    def _call(self, job: Job, fn, kwargs: dict, typed: bool, output_dir: Path) -> str:
        """Runs the job's predict() inside its cancel window; sets job.output. "ok" or "canceled"."""
        try:
            try:
                if not self._open_window(job):
                    return "canceled"
                if typed:
                    self._call_typed(job, fn, kwargs, output_dir)
                else:
                    result = fn(**kwargs)
                    if inspect.isgenerator(result):
                        result = _drain(job, result)
                    job.set_output(outputs.collect(result, output_dir, create=job.output_dir is None))
                return "ok"
            finally:
                self._close_window(job)
        except CancelationException:
            self._close_window(job)  # when it landed just as the window was closing
            return "canceled"

    def _call_typed(self, job: Job, fn, kwargs: dict, output_dir: Path) -> None:
        """A Cog predictor's call: `output` as Cog encodes it, and output.json with files by name (for the executor)."""
        call = signature.Call(fn, kwargs)
        with self._cancel_lock:
            job.call = call
        if job.cancel_requested:
            call.cancel()
        try:
            result = call.run()
            files = _FileOutputs(output_dir, self._uploader(job), by_name=job.output_dir is not None)
            if signature.is_stream(result):
                saved = []
                for chunk in signature.stream_output(result, output_dir, files.place):
                    saved.append(files.as_saved(chunk))
                    job.output_chunk(files.as_sent(chunk))
                if job.output is None:
                    job.set_output([])
            else:
                value = signature.encode_output(result, output_dir, files.place)
                saved = files.as_saved(value)
                job.set_output(files.as_sent(value))
            outputs.collect(saved, output_dir, create=job.output_dir is None)
        finally:
            with self._cancel_lock:
                job.call = None


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


class _FileOutputs:
    """The files a Cog predictor returned, each placed in the output folder first (signature.encode_output).

    In `output` (what the HTTP answer carries) a file is a data: URL, or its uploaded URL with an upload
    URL set, or (a request with its own output_dir: the executor reads the folder) its name there; in
    output.json always its name, so the executor collects it as a plain processor's file.
    """

    MARK = "\x00hangar-file:"

    def __init__(self, output_dir: Path, upload, by_name: bool):
        self._root = Path(output_dir).resolve()
        self._upload = upload
        self._by_name = by_name
        self._files = {}  # mark -> (path, name)

    def place(self, path) -> str:
        path = Path(path)
        mark = f"{self.MARK}{len(self._files)}"
        self._files[mark] = (path, path.resolve().relative_to(self._root).as_posix())
        return mark

    def as_saved(self, value):
        return self._map(value, lambda path, name: name)

    def as_sent(self, value):
        return self._map(value, self._url)

    def _url(self, path: Path, name: str) -> str:
        if self._upload is not None:
            return self._upload(path)
        if self._by_name:
            return name
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"

    def _map(self, value, fn):
        if isinstance(value, str) and value.startswith(self.MARK) and value in self._files:
            return fn(*self._files[value])
        if isinstance(value, dict):
            return {k: self._map(v, fn) for k, v in value.items()}
        if isinstance(value, list):
            return [self._map(v, fn) for v in value]
        return value


def run_output_dir(raw, runs_dir: Path) -> Path:
    """The request's output_dir, if it is an existing folder strictly under runs_dir; else Invalid."""
    where = f"an absolute path strictly under HANGAR_RUNS_DIR ({runs_dir})"
    if not isinstance(raw, str) or not raw:
        raise Invalid(f"`output_dir` must be a string: {where}", "output_dir")
    if not os.path.isabs(raw):
        raise Invalid(f"`output_dir` {raw!r} is relative; it must be {where}", "output_dir")
    if ".." in PurePosixPath(raw).parts:
        raise Invalid(f"`output_dir` {raw!r} contains `..`; it must be {where}, without `..`", "output_dir")
    path, root = Path(raw), Path(os.path.abspath(runs_dir))
    if path == root or not path.is_relative_to(root):
        raise Invalid(f"`output_dir` {raw!r} is not {where}", "output_dir")
    try:
        real, real_root = path.resolve(), root.resolve()
        is_dir = real.is_dir()
    except (OSError, ValueError) as e:
        raise Invalid(f"`output_dir` {raw!r} cannot be used: {e}", "output_dir") from None
    if real == real_root or not real.is_relative_to(real_root):
        raise Invalid(f"`output_dir` {raw!r} leads (through a symbolic link) to {real}, outside HANGAR_RUNS_DIR", "output_dir")
    if not is_dir:
        raise Invalid(f"`output_dir` {raw!r} does not exist or is not a folder; create it before the prediction", "output_dir")
    return path


def _execution_id(context) -> str | None:
    if context is None:
        return None
    if not isinstance(context, dict):
        raise Invalid("`context` must be a JSON object, like {\"execution_id\": \"...\"}", "context", "type_error.dict")
    value = context.get("execution_id")
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_EXECUTION_ID:
        raise Invalid(f"`context.execution_id` must be a non-empty string of at most {MAX_EXECUTION_ID} characters",
                      "context")
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
    """A plain processor's iterator output: collect the items, streaming each as an `output` event."""
    items = []
    for item in generator:
        items.append(item)
        if isinstance(item, (str, int, float, bool)):
            job.emit_chunk(item)
    return items


def _weights(processor, raw: str | None):
    """COG_WEIGHTS as setup(weights=...) wants it: a cog.Path (a URL fetched first) when annotated so, else the text."""
    setup = getattr(processor, "setup", None)
    if raw is None or setup is None or "weights" not in inspect.signature(setup).parameters:
        return raw
    import typing

    import cog

    hint = typing.get_type_hints(setup).get("weights")
    if hint not in (cog.Path, Path, cog.File) and cog.Path not in typing.get_args(hint):
        return raw
    if raw.split(":", 1)[0].lower() in ("http", "https", "data"):
        ref = signature.FileRef("weights", signature.PATH, url=raw)
        path = signature.resolve_files({"weights": ref}, tempfile.mkdtemp(prefix="cog-weights-"))["weights"]
    else:
        path = cog.Path(raw)
    return open(path, "rb") if hint is cog.File else path


def _job_input_dir(run_output_dir) -> Path:
    """Where a job's fetched file inputs go: its run's folder (beside outputs/), else a temp dir."""
    parent = run_output_dir.parent if run_output_dir is not None else None
    return Path(tempfile.mkdtemp(prefix=".cog-inputs-", dir=parent))


def _cog_version() -> str:
    import cog

    return cog.__version__


def _runtime_version() -> str:
    from . import __version__

    return __version__


def _raise_in_thread(ident: int, exc_type) -> None:
    exc = ctypes.py_object(exc_type) if exc_type is not None else None
    changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), exc)
    if changed > 1:  # cannot happen with a valid ident; undo rather than hit other threads
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
