"""The value types of Cog's Python API: Path, File, Secret and the streaming iterator hints."""

import io
import os
import pathlib
import typing

T = typing.TypeVar("T")


class Path(pathlib.PosixPath):
    """A path to a file on disk, as an input or an output (Cog's `cog.Path`).

    A drop-in `pathlib.Path`. As an input it arrives as a local file the runtime downloaded
    (http/https URL) or decoded (data: URL) before predict() runs; as an output the runtime
    answers with a data: URL of the file, or the URL an upload hook gave it.
    """


class File(io.IOBase):
    """A file handle, as an input or an output (Cog's `cog.File`, deprecated there in favour of Path).

    As an input it arrives as a binary file object opened at its start. As an output, any
    file-like object (anything with `read()`) works. `File(x)` is a convenience: it returns
    `x` itself when `x` is already file-like, opens `x` for reading when it is a path, and
    wraps bytes or text in an in-memory file.
    """

    def __new__(cls, source=None):
        if source is None:
            return super().__new__(cls)
        if hasattr(source, "read"):
            return source
        if isinstance(source, (str, os.PathLike)):
            return open(source, "rb")  # noqa: SIM115 -- handed to the caller, closed by the runtime
        if isinstance(source, (bytes, bytearray)):
            return io.BytesIO(bytes(source))
        raise TypeError(f"File() takes a file-like object, a path or bytes, not {type(source).__name__}")


class Secret:
    """A string holding sensitive information, like an API token (Cog's `cog.Secret`).

    It prints as `**********` so it does not end up in logs by accident; read the value with
    `get_secret_value()`. Its schema is `{"type": "string", "format": "password", "x-cog-secret": true}`.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str = ""):
        if isinstance(value, Secret):
            value = value.get_secret_value()
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a str, not {type(value).__name__}")
        self._value = value

    def get_secret_value(self) -> str:
        """The secret itself."""
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)


class ConcatenateIterator(typing.Iterator[T]):
    """Return annotation for streamed text: `-> ConcatenateIterator[str]`.

    predict() yields the pieces (tokens); the schema marks the output as an iterator whose
    items are meant to be shown joined into one string (`x-cog-array-display: concatenate`).
    """

    def __next__(self) -> T:  # pragma: no cover -- a type hint, never instantiated by the runtime
        raise StopIteration


class AsyncConcatenateIterator(typing.AsyncIterator[T]):
    """`ConcatenateIterator` for `async def predict` that yields (an async generator)."""

    async def __anext__(self) -> T:  # pragma: no cover -- a type hint
        raise StopAsyncIteration
