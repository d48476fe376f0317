"""The base class processors subclass, and the exception that cancels a prediction.

Subclassing is optional: any class with setup() and predict(**inputs) runs. The helpers below
need the runtime's per-job context, which the runtime binds to the job's thread (context.py), so
jobs running at once each see their own; outside a job they degrade to harmless no-ops and the
environment's defaults.
"""

from pathlib import Path

from . import config, context


class CancelationException(BaseException):
    """Raised inside predict() when the prediction is canceled.

    A BaseException, like KeyboardInterrupt, so a processor's `except Exception` does not
    swallow a cancel.
    """


class Processor:
    """Base class for Hangar processors.

    Class attributes the runtime reads (optional):
      input_schema  -- the JSON Schema of predict()'s keyword arguments, shown in /openapi.json
      output_schema -- the JSON Schema of what predict() returns
    """

    input_schema = None
    output_schema = None

    def setup(self):
        """Runs once, before the first prediction: load weights, warm caches."""

    def predict(self, **inputs):
        raise NotImplementedError("a processor must implement predict(**inputs)")

    @property
    def mode(self) -> str:
        """'mock' or 'real' (env HANGAR_MODE); mock must never touch the network."""
        return config.mode()

    @property
    def output_dir(self) -> Path:
        """Where this job's output files go (the request's output_dir, else env HANGAR_OUTPUT_DIR);
        everything written here is collected as an output."""
        ctx = context.current()
        return ctx.output_dir if ctx and ctx.output_dir else config.output_dir()

    @property
    def execution_id(self) -> str | None:
        """The Hangar execution this job serves (the request's context.execution_id, else env
        HANGAR_EXECUTION_ID); None when neither says."""
        ctx = context.current()
        return ctx.execution_id if ctx and ctx.execution_id else config.execution_id()

    @property
    def canceled(self) -> bool:
        """True once the current prediction has been asked to stop; poll it in long loops."""
        ctx = context.current()
        return bool(ctx and ctx.canceled)

    def emit_token(self, text) -> None:
        """Streams one token (a piece of generated text) to whoever watches."""
        ctx = context.current()
        if ctx:
            ctx.emit_token(text)

    def progress(self, fraction, message=None) -> None:
        """Reports progress between 0.0 and 1.0, with an optional human message."""
        ctx = context.current()
        if ctx:
            ctx.progress(fraction, message)
