"""Encoding what predict() returned as Cog's JSON `output`: files become data: URLs or uploaded URLs."""

import base64
import collections.abc
import dataclasses
import enum
import io
import mimetypes
import os
import pathlib
import shutil

import cog

from .calls import Call


def is_stream(value) -> bool:
    """True for what predict() yields: generators and iterators (not strings, lists or files)."""
    if isinstance(value, (str, bytes, list, tuple, dict, io.IOBase)) or hasattr(value, "read"):
        return False
    return isinstance(value, (collections.abc.Iterator, collections.abc.AsyncIterator))


def stream_output(result, output_dir, upload=None):
    """Yields each streamed item encoded as encode_output() would: what each `output` event carries."""
    items = Call(lambda: result, {}).run() if isinstance(result, collections.abc.AsyncIterator) else result
    for item in items:
        yield encode_output(item, output_dir, upload)


def encode_output(value, output_dir, upload=None):
    """The JSON `output` of a value predict() returned; files go to output_dir, then to a URL."""
    output_dir = pathlib.Path(output_dir)
    if is_stream(value):
        return list(stream_output(value, output_dir, upload))
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, cog.Secret):
        return value.get_secret_value()
    if isinstance(value, enum.Enum):
        return encode_output(value.value, output_dir, upload)
    if isinstance(value, pathlib.PurePath):
        return _file_url(_place(pathlib.Path(value), output_dir), upload)
    if isinstance(value, io.IOBase) or hasattr(value, "read"):
        return _file_url(_write_file(value, output_dir), upload)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode_output(getattr(value, f.name), output_dir, upload) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return encode_output(value.model_dump(), output_dir, upload)
    if isinstance(value, dict):
        return {str(k): encode_output(v, output_dir, upload) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode_output(v, output_dir, upload) for v in value]
    raise TypeError(f"cannot return a {type(value).__name__}: return str, int, float, bool, Path, File, "
                    "a BaseModel, or lists and dicts of those")


def _place(source: pathlib.Path, output_dir: pathlib.Path) -> pathlib.Path:
    if not source.exists():
        raise FileNotFoundError(f"predict() returned a path that does not exist: {source}")
    if source.is_dir():
        raise IsADirectoryError(f"predict() returned a directory, not a file: {source}")
    output_dir.mkdir(parents=True, exist_ok=True)
    resolved, root = source.resolve(), output_dir.resolve()
    if resolved.is_relative_to(root):
        return resolved
    target = _free(root, source.name)
    shutil.copyfile(resolved, target)
    return target


def _write_file(handle, output_dir: pathlib.Path) -> pathlib.Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    name = os.path.basename(str(getattr(handle, "name", "") or "")) or "output"
    if hasattr(handle, "seek") and getattr(handle, "seekable", lambda: False)():
        handle.seek(0)
    data = handle.read()
    target = _free(output_dir.resolve(), name)
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return target


def _free(folder: pathlib.Path, name: str) -> pathlib.Path:
    """`name` in folder, or name-1, name-2... when a file of that name is there already."""
    stem, suffix = os.path.splitext(name)
    candidate, n = folder / name, 0
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _file_url(path: pathlib.Path, upload) -> str:
    if upload is not None:
        return upload(path)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
