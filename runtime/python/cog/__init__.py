"""Cog's Python API (`from cog import BasePredictor, Input, Path, ...`), provided by Hangar itself.

Standard library only: an unmodified Cog project imports this instead of the `cog` package
from PyPI, and Hangar's runtime serves it. Only what Cog documents is here; each name behaves
as Cog's reference (docs/python.md, docs/http.md) describes.
"""

from .exceptions import CancelationException
from .input import FieldInfo, Input
from .model import BaseModel
from .predictor import BasePredictor, BaseRunner, Predictor, input
from .scope import current_scope
from .types import AsyncConcatenateIterator, ConcatenateIterator, File, Path, Secret

__version__ = "0.17.0+hangar"


def streaming(fn=None):
    """Marks predict()/run() as streaming its iterator output over SSE: `@streaming` or `@streaming()`.

    Without it an iterator output still works in JSON responses; Cog answers a request for
    `text/event-stream` with 406 then. The runtime reads the mark (`__cog_streaming__`).
    """

    def decorate(inner):
        inner.__cog_streaming__ = True
        return inner

    return decorate if fn is None else decorate(fn)


class ExperimentalFeatureWarning(FutureWarning):
    """Kept so models that filter it (`warnings.filterwarnings("ignore", category=...)`) still import."""


__all__ = [
    "__version__",
    "AsyncConcatenateIterator",
    "BaseModel",
    "BasePredictor",
    "BaseRunner",
    "CancelationException",
    "ConcatenateIterator",
    "ExperimentalFeatureWarning",
    "FieldInfo",
    "File",
    "Input",
    "Path",
    "Predictor",
    "Secret",
    "current_scope",
    "input",
    "streaming",
]
