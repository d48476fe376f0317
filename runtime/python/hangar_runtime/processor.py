"""The base class processors subclass, and the exception that cancels a prediction.

Subclassing is optional: any class with setup() and predict(**inputs) runs. The helpers below
need the runtime's per-prediction context, which the runtime attaches as `_hangar_ctx` before
each call; outside a prediction they degrade to harmless no-ops.
"""

from pathlib import Path

from . import config


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
        """Where output files go; everything written here is collected as an output."""
        return config.output_dir()

    @property
    def canceled(self) -> bool:
        """True once the current prediction has been asked to stop; poll it in long loops."""
        ctx = getattr(self, "_hangar_ctx", None)
        return bool(ctx and ctx.canceled)

    def emit_token(self, text) -> None:
        """Streams one token (a piece of generated text) to whoever watches."""
        ctx = getattr(self, "_hangar_ctx", None)
        if ctx:
            ctx.emit_token(text)

    def progress(self, fraction, message=None) -> None:
        """Reports progress between 0.0 and 1.0, with an optional human message."""
        ctx = getattr(self, "_hangar_ctx", None)
        if ctx:
            ctx.progress(fraction, message)
