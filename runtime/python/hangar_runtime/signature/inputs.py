"""Checking a request's inputs against the signature, and fetching file inputs (data: and http URLs)."""

import io
import mimetypes
import os
import pathlib
import re
import tempfile
import urllib.parse
import urllib.request

import cog
from cog.input import MISSING

from .coerce import coerce_field, decode_data_url, error, scheme_of
from .introspect import inspect_predictor
from .model import FILE, PATH, FileRef, InputFetchError, InputField, InputValidationError


MAX_DOWNLOAD_BYTES = 1 << 30
DOWNLOAD_TIMEOUT_SECONDS = 60


def check_inputs(info, raw: dict) -> dict:
    """Applies defaults, coerces and checks every input; raises InputValidationError listing all problems."""
    info = inspect_predictor(info)
    if not isinstance(raw, dict):
        raise InputValidationError([error(["body", "input"], "value is not a valid dict", "type_error.dict")])
    if not info.typed:
        return dict(raw)
    kwargs, errors = {}, []
    for name, field in info.inputs.items():
        loc = ["body", "input", name]
        if name in raw and raw[name] is not None:
            kwargs[name] = coerce_field(field, raw[name], loc, errors)
        elif name in raw and not field.optional:
            errors.append(error(loc, "none is not an allowed value", "type_error.none.not_allowed"))
        elif field.default is not MISSING:
            kwargs[name] = _copy_default(field)
        elif field.optional:
            kwargs[name] = None
        else:
            errors.append(error(loc, "field required", "value_error.missing"))
    for name in raw:
        if name not in info.inputs:
            errors.append(error(["body", "input", name], "extra fields not permitted", "value_error.extra"))
    if errors:
        raise InputValidationError(errors)
    return kwargs


def _copy_default(field: InputField):
    value = field.default
    if field.kind in (PATH, FILE):  # the model's own default: a URL is fetched, anything else is a local path
        refs = [FileRef(field.name, field.kind, url=v) if scheme_of(v) in ("data", "http", "https")
                else FileRef(field.name, field.kind, local=pathlib.Path(v))
                for v in (value if field.repeated else [value])]
        return refs if field.repeated else refs[0]
    return list(value) if isinstance(value, list) else value


def resolve_files(kwargs: dict, input_dir, download=None) -> dict:
    """Turns each FileRef into a local cog.Path (or an open file for cog.File) under input_dir."""
    download = download or download_url
    input_dir = pathlib.Path(input_dir)

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if not isinstance(value, FileRef):
            return value
        path = _fetch(value, input_dir, download)
        return open(path, "rb") if value.kind == FILE else path  # noqa: SIM115 -- the predictor reads it

    return {name: resolve(value) for name, value in kwargs.items()}


def close_inputs(kwargs: dict) -> None:
    """Closes the open files resolve_files() gave cog.File inputs: call it when the job ends."""
    for value in kwargs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, io.IOBase):
                item.close()


def validate_inputs(info, raw: dict, input_dir, download=None) -> dict:
    """check_inputs() then resolve_files(): the kwargs predict() is called with."""
    return resolve_files(check_inputs(info, raw), input_dir, download)


def _fetch(ref: FileRef, input_dir: pathlib.Path, download) -> cog.Path:
    if ref.local is not None:
        return cog.Path(ref.local)
    input_dir.mkdir(parents=True, exist_ok=True)
    target_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"{ref.name}-", dir=input_dir))
    if ref.url.lower().startswith("data:"):
        data, mime = decode_data_url(ref.url)
        path = target_dir / ("file" + (mimetypes.guess_extension(mime) or ""))
        path.write_bytes(data)
        return cog.Path(path)
    try:
        return cog.Path(download(ref.url, target_dir))
    except Exception as e:  # noqa: BLE001 -- any download failure fails the prediction, with the reason
        raise InputFetchError(f"{ref.name}: could not download {_redact(ref.url)}: {e}") from None


def _redact(url: str) -> str:
    """The URL without credentials or query (signed URLs carry secrets there)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))


def _http_only_opener() -> urllib.request.OpenerDirector:
    """urllib's opener without file:, ftp: or data: handlers, so a redirect cannot leave http(s).

    Built per download: ProxyHandler reads HTTP(S)_PROXY when created, and the runtime sets those late.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPRedirectHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), urllib.request.UnknownHandler()):
        opener.add_handler(handler)
    return opener


def download_url(url: str, target_dir: pathlib.Path, max_bytes: int = MAX_DOWNLOAD_BYTES) -> pathlib.Path:
    """The default downloader: GET url (through HTTP(S)_PROXY when set) into target_dir, keeping its file name."""
    name = os.path.basename(urllib.parse.unquote(urllib.parse.urlsplit(url).path)) or "file"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "file"
    path = target_dir / name
    with _http_only_opener().open(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response, open(path, "wb") as out:
        copied = 0
        while chunk := response.read(1 << 16):
            copied += len(chunk)
            if copied > max_bytes:
                raise ValueError(f"larger than {max_bytes} bytes")
            out.write(chunk)
    return path
