"""The vocabulary the signature package shares: value kinds, errors, and what introspection yields."""

import dataclasses
import pathlib
import typing

import cog
from cog.input import MISSING

STR, INT, FLOAT, BOOL, PATH, FILE, SECRET, ANY = "str", "int", "float", "bool", "path", "file", "secret", "any"
JSON_TYPES = {
    STR: {"type": "string"},
    INT: {"type": "integer"},
    FLOAT: {"type": "number"},
    BOOL: {"type": "boolean"},
    PATH: {"type": "string", "format": "uri"},
    FILE: {"type": "string", "format": "uri"},
    SECRET: {"type": "string", "format": "password", "writeOnly": True, "x-cog-secret": True},
    ANY: {"type": "object"},
}
PRIMITIVES = {str: STR, int: INT, float: FLOAT, bool: BOOL, cog.Path: PATH, cog.File: FILE, cog.Secret: SECRET,
              typing.Any: ANY, dict: ANY}
LEGACY_KINDS = {"str": STR, "int": INT, "float": FLOAT, "bool": BOOL, "Path": PATH}


class SignatureError(ValueError):
    """The predictor's signature is not one Cog can serve; the message says what to change."""


class InputValidationError(ValueError):
    """Inputs that do not fit the signature; `detail` is Cog's 422 body `detail` list."""

    status = 422

    def __init__(self, detail: list):
        self.detail = detail
        super().__init__("; ".join(f"{'.'.join(str(p) for p in d['loc'][2:])}: {d['msg']}" for d in detail))


class InputFetchError(RuntimeError):
    """A file input could not be downloaded or decoded; the prediction fails, as in Cog."""


@dataclasses.dataclass(frozen=True)
class FileRef:
    """A file input not fetched yet: a data: or http(s) URL, or a local path given programmatically."""

    name: str
    kind: str  # PATH or FILE
    url: str | None = None
    local: pathlib.Path | None = None


@dataclasses.dataclass(frozen=True)
class InputField:
    """One input: its JSON type, shape and Input() metadata."""

    name: str
    order: int
    kind: str
    repeated: bool = False
    optional: bool = False
    default: typing.Any = MISSING
    description: str | None = None
    ge: int | float | None = None
    le: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    regex: str | None = None
    choices: list | None = None
    deprecated: bool | None = None

    @property
    def required(self) -> bool:
        return self.default is MISSING and not self.optional


@dataclasses.dataclass(frozen=True)
class OutputType:
    """The output's JSON Schema (without the title) and whether predict() yields it piece by piece."""

    schema: dict
    iterator: bool = False
    concatenate: bool = False


@dataclasses.dataclass(frozen=True)
class Signature:
    """What inspect_predictor() read from a predictor class or function."""

    name: str
    method: str | None
    typed: bool
    inputs: dict
    output: OutputType
    streaming: bool = False
    is_async: bool = False
    declared_input_schema: dict | None = None
    declared_output_schema: dict | None = None

    @property
    def secret_inputs(self) -> tuple:
        return tuple(name for name, field in self.inputs.items() if field.kind == SECRET)

    def entry(self, instance):
        """The callable to run: `instance.<method>`, or the function itself."""
        return instance if self.method is None else getattr(instance, self.method)


def cog_title(name: str) -> str:
    """Cog's title for an input or field: `num_steps` -> `Num Steps`."""
    return name.replace("_", " ").title()
