"""Exceptions a predictor may see (Cog's `cog.exceptions`)."""

try:  # the runtime raises its own class into a canceled job: it must be this very class
    from hangar_runtime.processor import CancelationException
except ImportError:  # pragma: no cover -- cog used without the runtime (type checks, tests of a model)

    class CancelationException(BaseException):
        """Raised inside a sync predict() when the prediction is canceled; re-raise it after cleanup."""


__all__ = ["CancelationException"]
