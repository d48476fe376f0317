"""Which job the current thread works for: its output folder, execution id, logs and events.

Several jobs run at once in one process (HANGAR_MAX_CONCURRENCY), so nothing per job can live on
the processor instance or in a global: the runtime binds a Context to the job's thread for the
duration of the job, and Processor's properties, print capture and emit_token() look it up here.

A thread the processor starts itself is bound to nothing; while exactly one job (or setup) is
active it is taken to work for that one, as it did when the runtime ran one job at a time.
Outside any job the lookups fall back to the environment (HANGAR_OUTPUT_DIR, HANGAR_EXECUTION_ID).
"""

import threading
from pathlib import Path

_local = threading.local()
_active_lock = threading.Lock()
_active = []  # the bound contexts, for threads that are bound to none


class Context:
    """One job (or setup) as seen from processor code. on_line gets each complete printed line."""

    def __init__(self, on_line, job=None, output_dir: Path | None = None, execution_id: str | None = None):
        self.on_line = on_line
        self.job = job
        self.output_dir = output_dir
        self.execution_id = execution_id
        self.partial = {"stdout": "", "stderr": ""}  # a printed line not ended yet, per stream

    @property
    def canceled(self) -> bool:
        return bool(self.job and self.job.cancel_requested)

    def emit_token(self, text) -> None:
        if self.job:
            self.job.emit_chunk(str(text))  # Cog's `output {chunk, index}` event

    def progress(self, fraction, message=None) -> None:
        if self.job:
            fraction = min(1.0, max(0.0, float(fraction)))
            self.job.publish("progress", {"fraction": fraction, "message": None if message is None else str(message)})


def current() -> Context | None:
    """The context of this thread, else the only active one, else None."""
    ctx = getattr(_local, "ctx", None)
    if ctx is not None:
        return ctx
    with _active_lock:
        return _active[0] if len(_active) == 1 else None


def bind(ctx: Context) -> None:
    _local.ctx = ctx
    with _active_lock:
        _active.append(ctx)


def unbind(ctx: Context) -> None:
    _local.ctx = None
    with _active_lock:
        _active.remove(ctx)
