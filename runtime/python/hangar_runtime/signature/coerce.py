"""Coercing one JSON value to an input's type and checking its constraints, with Cog's 422 messages.

Pure: file inputs become FileRef values here and are fetched later (inputs.resolve_files).
"""

import base64
import binascii
import math
import pathlib
import re
import urllib.parse

import cog

from .model import BOOL, FILE, FLOAT, INT, PATH, SECRET, STR, FileRef, InputField


def scheme_of(value) -> str:
    """The URL scheme of a string value, lower case; "" for anything that is not a URL."""
    return urllib.parse.urlsplit(value).scheme.lower() if isinstance(value, str) and ":" in value else ""


def error(loc: list, msg: str, kind: str, ctx: dict | None = None) -> dict:
    """One entry of the 422 `detail` list, in pydantic's shape."""
    entry = {"loc": list(loc), "msg": msg, "type": kind}
    if ctx:
        entry["ctx"] = ctx
    return entry


def coerce_field(field: InputField, value, loc: list, errors: list):
    """The value coerced to the field's type (a list for list inputs); problems are appended to errors."""
    if not field.repeated:
        return _coerce_one(field, value, loc, errors)
    if not isinstance(value, (list, tuple)):
        errors.append(error(loc, "value is not a valid list", "type_error.list"))
        return None
    return [_coerce_one(field, item, loc + [i], errors) for i, item in enumerate(value)]


def _coerce_one(field: InputField, value, loc: list, errors: list):
    before = len(errors)
    value = _coerce_type(field, value, loc, errors)
    if len(errors) > before:
        return None
    if field.choices is not None and value not in field.choices:
        permitted = ", ".join(repr(c) for c in field.choices)
        errors.append(error(loc, f"value is not a valid enumeration member; permitted: {permitted}", "type_error.enum",
                            {"enum_values": list(field.choices)}))
    if field.ge is not None and value < field.ge:
        errors.append(error(loc, f"ensure this value is greater than or equal to {field.ge}",
                            "value_error.number.not_ge", {"limit_value": field.ge}))
    if field.le is not None and value > field.le:
        errors.append(error(loc, f"ensure this value is less than or equal to {field.le}",
                            "value_error.number.not_le", {"limit_value": field.le}))
    if field.min_length is not None and len(value) < field.min_length:
        errors.append(error(loc, f"ensure this value has at least {field.min_length} characters",
                            "value_error.any_str.min_length", {"limit_value": field.min_length}))
    if field.max_length is not None and len(value) > field.max_length:
        errors.append(error(loc, f"ensure this value has at most {field.max_length} characters",
                            "value_error.any_str.max_length", {"limit_value": field.max_length}))
    if field.regex is not None and not re.match(field.regex, value):
        errors.append(error(loc, f'string does not match regex "{field.regex}"', "value_error.str.regex",
                            {"pattern": field.regex}))
    return value


def _coerce_type(field: InputField, value, loc: list, errors: list):
    kind = field.kind
    if kind == STR or kind == SECRET:
        if isinstance(value, cog.Secret) and kind == SECRET:
            return value
        if not isinstance(value, str):
            errors.append(error(loc, "str type expected", "type_error.str"))
            return None
        return cog.Secret(value) if kind == SECRET else value
    if kind == INT:
        number = _number(value, int)
        if number is None:
            errors.append(error(loc, "value is not a valid integer", "type_error.integer"))
        return number
    if kind == FLOAT:
        number = _number(value, float)
        if number is None:
            errors.append(error(loc, "value is not a valid float", "type_error.float"))
        return number
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        errors.append(error(loc, "value could not be parsed to a boolean", "type_error.bool"))
        return None
    if kind in (PATH, FILE):
        return _file_ref(field, value, loc, errors)
    return value  # ANY: any JSON value, as Cog passes it through


def _number(value, tpe):
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()) if tpe is float or "." in value or "e" in value.lower() else int(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN would pass every ge/le check; JSON has no such number anyway
    if isinstance(value, int) and tpe is float:
        return float(value)
    if isinstance(value, float) and tpe is int:
        return int(value) if value.is_integer() else None
    return value if isinstance(value, tpe) else None


def _file_ref(field: InputField, value, loc: list, errors: list):
    if isinstance(value, pathlib.PurePath):
        return FileRef(field.name, field.kind, local=pathlib.Path(value))
    if not isinstance(value, str):
        errors.append(error(loc, "str type expected", "type_error.str"))
        return None
    scheme = scheme_of(value)
    if scheme == "data":
        try:
            decode_data_url(value)
        except ValueError as e:
            errors.append(error(loc, f"invalid data: URL: {e}", "value_error.url"))
            return None
    elif scheme in ("http", "https"):
        if not urllib.parse.urlsplit(value).netloc:
            errors.append(error(loc, "URL host invalid", "value_error.url.host"))
            return None
    else:
        errors.append(error(loc, f"'{scheme}' is not a valid URL scheme. 'data', 'http', or 'https' is supported.",
                            "value_error.url.scheme"))
        return None
    return FileRef(field.name, field.kind, url=value)


def decode_data_url(url: str):
    """(bytes, mime type) of a data: URL; ValueError when malformed."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise ValueError("no comma after the media type")
    params = header.split(";")
    mime = params[0] or "text/plain"
    if "base64" in params[1:]:
        try:
            return base64.b64decode(payload, validate=True), mime
        except (binascii.Error, ValueError):
            raise ValueError("the base64 payload does not decode") from None
    return urllib.parse.unquote_to_bytes(payload), mime
