"""The classes a Cog model subclasses: BasePredictor, BaseRunner and the older cog.Predictor."""

from .scope import current_scope


class BasePredictor:
    """Defines how Cog runs predictions: optional `setup()`, required `predict(**inputs)`.

    predict()'s parameters are its inputs (annotated, with `Input(...)` or plain defaults) and
    its return annotation the output; the runtime derives the schema from them. `predict` may be
    `async def`, and may `yield` to stream (annotate `-> Iterator[T]` or `ConcatenateIterator[str]`).
    """

    def setup(self, weights=None) -> None:
        """Runs once before the first prediction: load the model. May be async."""

    def predict(self, **kwargs):
        """Runs one prediction."""
        raise NotImplementedError("a predictor must implement predict()")

    def record_metric(self, key: str, value, mode: str = "replace") -> None:
        """Records a custom metric on the current prediction (`replace`, `incr` or `append`)."""
        current_scope().record_metric(key, value, mode)

    @property
    def scope(self):
        """The current prediction's scope: `self.scope.metrics["k"] = v`, `self.scope.context`."""
        return current_scope()


class BaseRunner(BasePredictor):
    """Cog's newer name for a predictor: implement `run(**inputs)` instead of `predict()`."""

    def run(self, **kwargs):
        """Runs one prediction."""
        raise NotImplementedError("a runner must implement run()")

    def predict(self, **kwargs):
        """Calls run(), so callers that know only predict() work too."""
        return self.run(**kwargs)


class Predictor(BasePredictor):
    """The older form: subclass `cog.Predictor` and declare inputs with `@cog.input(...)`."""


_LEGACY_TYPES = ("str", "int", "float", "bool", "Path")
UNSPECIFIED = object()


def _legacy_type_name(tpe) -> str:
    import pathlib

    if isinstance(tpe, type) and issubclass(tpe, pathlib.PurePath):
        return "Path"
    return getattr(tpe, "__name__", str(tpe)) if tpe in (str, int, float, bool) else repr(tpe)


def input(name, type, default=UNSPECIFIED, min=None, max=None, options=None, help=None):  # noqa: A001,A002
    """The older way to declare one input of predict(): `@cog.input("text", type=str, help="...")`.

    `type` is str, int, float, bool or Path; `default` makes it optional, `min`/`max` bound
    numbers, `options` lists allowed values, `help` describes it. Stack one per input.
    """
    type_name = _legacy_type_name(type)
    if type_name not in _LEGACY_TYPES:
        raise ValueError(f"{type_name} is not a valid input type. Valid types are: {', '.join(_LEGACY_TYPES)}")
    if (min is not None or max is not None) and type_name not in ("int", "float"):
        raise ValueError(f"Non-numeric type {type_name} cannot have min and max values")
    if options is not None and type_name == "Path":
        raise ValueError("File type cannot have options")
    if options is not None and len(options) < 2:
        raise ValueError("Options list must have at least two items")
    if type_name == "Path" and default is not UNSPECIFIED and default is not None:
        raise TypeError("Cannot use default with Path type")

    def wrapper(f):
        inputs = f.__dict__.setdefault("_cog_inputs", [])
        if any(spec["name"] == name for spec in inputs):
            raise ValueError(f"{name} is already defined as an argument")
        # Decorators apply bottom-up: insert first so the list reads top to bottom, as written.
        inputs.insert(0, {"name": name, "type": type, "default": default, "min": min, "max": max,
                          "options": options, "help": help})
        return f

    return wrapper
