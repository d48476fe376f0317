"""The current prediction's scope: where `record_metric` and `current_scope()` write.

The runtime binds a fresh Scope around each prediction with `use_scope(...)` (a context
variable, so it follows the job's thread and the asyncio tasks it starts); outside one,
`current_scope()` is a scope that silently ignores everything, as Cog documents.
"""

import contextlib
import contextvars
import copy
import threading

MODES = ("replace", "incr", "append")
_KINDS = ((bool, "bool"), ((int, float), "number"), (str, "str"), (list, "list"), (dict, "dict"))


def _kind(value) -> str:
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    raise TypeError(f"a metric value must be bool, int, float, str, list or dict, not {type(value).__name__}")


class Metrics:
    """A prediction's custom metrics, dict-style: `metrics["k"] = v`, `del metrics["k"]`, `record(k, v, mode)`.

    Dot-separated keys nest (`timing.inference`); a key keeps the kind of value it was given
    first (a number stays a number) until it is deleted; setting None deletes.
    """

    def __init__(self, on_record=None, enabled=True):
        self._values = {}
        self._lock = threading.Lock()
        self._on_record = on_record
        self._enabled = enabled

    def record(self, key: str, value, mode: str = "replace") -> None:
        """Sets (`replace`), adds to (`incr`) or appends to (`append`) the metric `key`."""
        if not self._enabled:
            return
        if mode not in MODES:
            raise ValueError(f"metric mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not isinstance(key, str) or not key or any(not part for part in key.split(".")):
            raise ValueError(f"a metric key must be a non-empty dot-separated name, got {key!r}")
        with self._lock:
            if value is None:
                self._delete(key)
            else:
                self._set(key, value, mode)
        if self._on_record:
            self._on_record(key, copy.deepcopy(value), mode)

    def _parent(self, key: str, create: bool):
        node = self._values
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is None:
                if not create:
                    return None, parts[-1]
                child = node[part] = {}
            elif not isinstance(child, dict):
                raise TypeError(f"metric {part!r} holds a {_kind(child)}, so {key!r} cannot nest under it")
            node = child
        return node, parts[-1]

    def _set(self, key: str, value, mode: str) -> None:
        kind = _kind(value)
        node, leaf = self._parent(key, create=True)
        old = node.get(leaf)
        if mode == "append":
            if old is None:
                node[leaf] = [copy.deepcopy(value)]
            elif isinstance(old, list):
                old.append(copy.deepcopy(value))
            else:
                raise TypeError(f"metric {key!r} holds a {_kind(old)}; append needs a list (delete it first)")
            return
        if old is not None and _kind(old) != kind:
            raise TypeError(f"metric {key!r} holds a {_kind(old)}, not a {kind} (delete it first)")
        if mode == "incr":
            if kind != "number":
                raise TypeError(f"incr needs a number, got {type(value).__name__} for metric {key!r}")
            node[leaf] = value if old is None else old + value
        else:
            node[leaf] = copy.deepcopy(value)

    def _delete(self, key: str) -> None:
        node, leaf = self._parent(key, create=False)
        if node is not None:
            node.pop(leaf, None)

    def __setitem__(self, key: str, value) -> None:
        self.record(key, value)

    def __delitem__(self, key: str) -> None:
        self.record(key, None)

    def __getitem__(self, key: str):
        with self._lock:
            node, leaf = self._parent(key, create=False)
            if node is None or leaf not in node:
                raise KeyError(key)
            return copy.deepcopy(node[leaf])

    def __contains__(self, key: str) -> bool:
        try:
            self[key]
            return True
        except KeyError:
            return False

    def to_dict(self) -> dict:
        """A copy of every metric, nested by the dots in their keys: what the response's `metrics` gets."""
        with self._lock:
            return copy.deepcopy(self._values)


class Scope:
    """One prediction's scope: its `metrics`, its request `context`, and `record_metric`."""

    def __init__(self, on_record=None, context=None, enabled=True):
        self.metrics = Metrics(on_record, enabled)
        self.context = dict(context or {})

    def record_metric(self, key: str, value, mode: str = "replace") -> None:
        """Same as `metrics.record(key, value, mode)`."""
        self.metrics.record(key, value, mode)


_NOOP = Scope(enabled=False)
_current = contextvars.ContextVar("cog_scope", default=_NOOP)


def current_scope() -> Scope:
    """The scope of the prediction running now, or a no-op scope outside one (never None)."""
    return _current.get()


@contextlib.contextmanager
def use_scope(scope: Scope):
    """For the runtime: makes `scope` the current one while the block runs (one per job)."""
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
