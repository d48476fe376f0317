"""A Cog predictor's interface, read from its signature: schema, input checks, output encoding, calls.

Cog derives a model's whole interface from predict()'s parameters and return annotation; this
module does the same for the `cog` package Hangar ships (runtime/python/cog), so a project never
writes its schema twice. Faithful to Cog's Python SDK schema generator (replicate/cog
`python/cog/_schemas.py`, `_adt.py`, `_inspector.py`, SDK 0.17, the dataclass-based successor
of the pydantic one, same JSON for these cases) and, for 422 messages, to the pydantic-v1 wording
Cog's HTTP tests assert (`"value is not a valid integer"`, `type_error.integer`, ...).

The API the worker calls (all pure unless marked I/O):

    info = inspect_predictor(target, method=None)   # class or function -> Signature; SignatureError
        method: None picks run() on a BaseRunner, else predict(); "train" for trainings.
        info.typed: False for a plain Hangar class (predict(**kw), no annotations): its inputs
        pass through unchecked and its schema is its `input_schema` attribute.
        info.entry(instance) -> the callable; info.streaming (@cog.streaming);
        info.secret_inputs -> names to mask; info.output.iterator -> True for Iterator outputs.
    openapi_document(predictor, trainer=None) -> dict   # GET /openapi.json, label run.cog.openapi_schema
    input_schema(info) / output_schema(info) / enum_schemas(info) -> dict

    kwargs = check_inputs(info, raw)               # defaults, coercion, constraints; no I/O.
        raises InputValidationError: .detail = [{"loc": ["body","input",name], "msg", "type"}]
        -> answer 422 {"detail": e.detail} before the job starts. File inputs stay FileRef.
    kwargs = resolve_files(kwargs, input_dir, download=download_url)   # I/O, inside the job
        FileRef -> cog.Path (or an open binary file for cog.File) under input_dir (delete it
        after the job); raises InputFetchError (the prediction fails, as in Cog).
    validate_inputs(info, raw, input_dir, download=download_url) = both of the above.

    run_setup(instance, weights=None)               # calls setup(), async or not
    call = Call(info.entry(instance), kwargs)
    result = call.run()                             # blocks this thread; async runs on its own loop
        -> the return value, or for (async) generators an iterator of raw items
        raises cog.CancelationException when canceled (async: after asyncio.CancelledError inside)
    call.cancel() -> bool                           # thread-safe; False for sync calls (inject as today)
    if is_stream(result): for item in stream_output(result, output_dir, upload): publish "output"
    else: output = encode_output(result, output_dir, upload)
        Path/File -> copied into output_dir, then upload(path) -> URL when given, else a data: URL;
        BaseModel -> dict; lists, tuples, dicts recursively; Secret -> its value.

Metrics: `with cog.scope.use_scope(cog.scope.Scope(on_record=fn, context=...)) as scope:` around
the call; `scope.metrics.to_dict()` afterwards (the runtime adds predict_time itself).
"""

import asyncio
import base64
import binascii
import collections.abc
import dataclasses
import enum
import inspect
import io
import mimetypes
import os
import pathlib
import re
import shutil
import tempfile
import threading
import types
import typing
import urllib.parse
import urllib.request

import cog
from cog.exceptions import CancelationException
from cog.input import MISSING, FieldInfo
from cog.predictor import UNSPECIFIED, BasePredictor, BaseRunner

STR, INT, FLOAT, BOOL, PATH, FILE, SECRET, ANY = "str", "int", "float", "bool", "path", "file", "secret", "any"
_JSON_TYPES = {
    STR: {"type": "string"},
    INT: {"type": "integer"},
    FLOAT: {"type": "number"},
    BOOL: {"type": "boolean"},
    PATH: {"type": "string", "format": "uri"},
    FILE: {"type": "string", "format": "uri"},
    SECRET: {"type": "string", "format": "password", "writeOnly": True, "x-cog-secret": True},
    ANY: {"type": "object"},
}
_PRIMITIVES = {str: STR, int: INT, float: FLOAT, bool: BOOL, cog.Path: PATH, cog.File: FILE, cog.Secret: SECRET,
               typing.Any: ANY, dict: ANY}
_LEGACY_KINDS = {"str": STR, "int": INT, "float": FLOAT, "bool": BOOL, "Path": PATH}
MAX_DOWNLOAD_BYTES = 1 << 30
DOWNLOAD_TIMEOUT_SECONDS = 60


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


# --- introspection ---------------------------------------------------------------------------


def inspect_predictor(target, method: str | None = None) -> Signature:
    """Reads the interface of a predictor class (or a predict/train function)."""
    if isinstance(target, Signature):
        return target
    name = getattr(target, "__qualname__", repr(target))
    if inspect.isclass(target):
        method = method or _default_method(target)
        if not callable(getattr(target, method, None)):
            raise SignatureError(f"{name} has no {method}() method")
        fn = getattr(target, method)
        drop_self = not isinstance(inspect.getattr_static(target, method), staticmethod)
    elif callable(target):
        fn, method, drop_self = target, None, False
    else:
        raise SignatureError(f"a predictor is a class or a function, not {type(target).__name__}")
    fn = inspect.unwrap(fn)
    params = list(inspect.signature(fn).parameters.values())[1 if drop_self else 0:]
    is_async = inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
    streaming = bool(getattr(fn, "__cog_streaming__", False))
    hints = _type_hints(fn)
    legacy = getattr(fn, "_cog_inputs", None)
    where = f"{name}.{method}()" if method else f"{name}()"
    if legacy is not None:
        inputs = {spec["name"]: _legacy_field(i, spec) for i, spec in enumerate(legacy)}
    elif _is_typed(target, params, hints):
        inputs = {}
        for i, param in enumerate(params):
            if param.kind is param.VAR_POSITIONAL:
                raise SignatureError(f"{where} must not have *{param.name}")
            if param.kind is param.VAR_KEYWORD:
                raise SignatureError(f"{where} must not have **{param.name}: declare each input")
            if param.name not in hints:
                raise SignatureError(f"missing type annotation for input: {param.name} in {where}")
            inputs[param.name] = _input_field(i, param.name, hints[param.name], param.default)
    else:
        return Signature(name, method, False, {}, OutputType({}), streaming, is_async,
                         _declared(target, "input_schema" if method != "train" else "train_input_schema"),
                         _declared(target, "output_schema"))
    if "return" in hints:
        output = _output_type(hints["return"], where)
    elif legacy is not None:
        output = OutputType({})
    else:
        raise SignatureError(f"{where} must have a return type annotation (-> str, -> Path, ...)")
    return Signature(name, method, True, inputs, output, streaming, is_async)


def _default_method(cls) -> str:
    run = getattr(cls, "run", None)
    if issubclass(cls, BaseRunner) and run is not None and run is not BaseRunner.run:
        return "run"
    return "predict"


def _type_hints(fn) -> dict:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:  # noqa: BLE001 -- an unresolvable forward reference: fall back to the raw ones
        return dict(getattr(fn, "__annotations__", {}))


def _is_typed(target, params, hints) -> bool:
    """Cog-style (annotated) rather than a plain Hangar class with free-form predict(**inputs)."""
    if inspect.isclass(target) and issubclass(target, BasePredictor):
        return True
    return bool(hints) or any(isinstance(p.default, FieldInfo) for p in params)


def _declared(target, attribute):
    return getattr(target, attribute, None) if inspect.isclass(target) else None


def _legacy_field(order: int, spec: dict) -> InputField:
    kind = _LEGACY_KINDS["Path" if isinstance(spec["type"], type) and issubclass(spec["type"], pathlib.PurePath)
                        else spec["type"].__name__]
    default = MISSING if spec["default"] is UNSPECIFIED else spec["default"]
    return InputField(spec["name"], order, kind, optional=default is None, default=MISSING if default is None else default,
                      description=spec["help"], ge=spec["min"], le=spec["max"],
                      choices=list(spec["options"]) if spec["options"] is not None else None)


def _parse_type(tpe, where: str):
    """(kind, repeated, optional, literal choices) of an input or BaseModel field annotation."""
    tpe = _strip_annotated(tpe)
    optional = False
    if _is_union(tpe):
        args = [a for a in typing.get_args(tpe) if a is not type(None)]
        if len(args) != 1 or len(typing.get_args(tpe)) != 2:
            raise SignatureError(f"{where}: unsupported union type {tpe}: only Optional[T] is allowed")
        tpe, optional = _strip_annotated(args[0]), True
    repeated = False
    if tpe is list or typing.get_origin(tpe) is list:
        args = typing.get_args(tpe)
        tpe, repeated = (_strip_annotated(args[0]) if args else typing.Any), True
        if typing.get_origin(tpe) not in (None, dict, typing.Literal):
            raise SignatureError(f"{where}: List cannot have nested type {typing.get_origin(tpe).__name__}")
    if typing.get_origin(tpe) is typing.Literal:
        values = list(typing.get_args(tpe))
        kinds = {_PRIMITIVES.get(type(v)) for v in values}
        if len(kinds) != 1 or kinds & {None} or not kinds <= {STR, INT}:
            raise SignatureError(f"{where}: Literal values must all be str or all be int, got {values!r}")
        return kinds.pop(), repeated, optional, values
    return _primitive(tpe, where), repeated, optional, None


def _primitive(tpe, where: str) -> str:
    if tpe in _PRIMITIVES:
        return _PRIMITIVES[tpe]
    if typing.get_origin(tpe) is dict:
        return ANY
    if inspect.isclass(tpe):
        if issubclass(tpe, (os.PathLike, pathlib.PurePath)):
            return PATH
        if issubclass(tpe, io.IOBase):
            return FILE
    raise SignatureError(f"{where}: unsupported Cog type {getattr(tpe, '__name__', tpe)}")


def _strip_annotated(tpe):
    return typing.get_args(tpe)[0] if typing.get_origin(tpe) is typing.Annotated else tpe


def _is_union(tpe) -> bool:
    return typing.get_origin(tpe) in (typing.Union, types.UnionType)


def _input_field(order: int, name: str, tpe, default) -> InputField:
    where = f"invalid input field {name}"
    kind, repeated, optional, literal = _parse_type(tpe, where)
    info = default if isinstance(default, FieldInfo) else FieldInfo(MISSING if default is inspect.Parameter.empty else default)
    value = info.default
    if value is None:  # Input(default=None): optional, as Cog documents
        optional, value = True, MISSING
    choices = literal if literal is not None else info.choices
    field = InputField(name, order, kind, repeated, optional, MISSING, info.description, info.ge, info.le,
                       info.min_length, info.max_length, info.regex, choices, info.deprecated)
    _check_constraints(field, f"{name}: {_python_name(field)}")
    if value is not MISSING and kind not in (PATH, FILE):
        errors = []
        value = _coerce_field(field, value, [name], errors)
        if errors:
            raise SignatureError(f"invalid default for {name}: {errors[0]['msg']}")
    return dataclasses.replace(field, default=value)


def _python_name(field: InputField) -> str:
    name = {STR: "str", INT: "int", FLOAT: "float", BOOL: "bool", PATH: "Path", FILE: "File", SECRET: "Secret",
            ANY: "Any"}[field.kind]
    name = f"List[{name}]" if field.repeated else name
    return f"Optional[{name}]" if field.optional else name


def _check_constraints(field: InputField, what: str) -> None:
    if (field.ge is not None or field.le is not None) and field.kind not in (INT, FLOAT):
        raise SignatureError(f"incompatible input type for ge/le: {what}")
    if (field.min_length is not None or field.max_length is not None) and field.kind != STR:
        raise SignatureError(f"incompatible input type for min_length/max_length: {what}")
    if field.regex is not None:
        if field.kind != STR:
            raise SignatureError(f"incompatible input type for regex: {what}")
        try:
            re.compile(field.regex)
        except re.error as e:
            raise SignatureError(f"invalid regex for {what}: {e}") from None
    if field.choices is not None:
        if field.kind not in (STR, INT):
            raise SignatureError(f"incompatible input type for choices: {what}")
        if len(field.choices) < 2:
            raise SignatureError(f"choices={field.choices!r} must have >= 2 elements: {what}")
        if field.ge is not None or field.le is not None:
            raise SignatureError(f"choices and ge/le are mutually exclusive: {what}")
        if field.min_length is not None or field.max_length is not None:
            raise SignatureError(f"choices and min_length/max_length are mutually exclusive: {what}")
        if any(_PRIMITIVES.get(type(c)) != field.kind for c in field.choices):
            raise SignatureError(f"not all choices have the same type as input: {what}")


def _output_type(tpe, where: str) -> OutputType:
    tpe = _strip_annotated(tpe)
    origin = typing.get_origin(tpe)
    if tpe in (cog.ConcatenateIterator, cog.AsyncConcatenateIterator) or origin in (
            cog.ConcatenateIterator, cog.AsyncConcatenateIterator):
        args = typing.get_args(tpe)
        if not args or _strip_annotated(args[0]) is not str:
            raise SignatureError(f"{where}: {getattr(origin or tpe, '__name__', tpe)} must have str element")
        return OutputType({"type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator",
                           "x-cog-array-display": "concatenate"}, iterator=True, concatenate=True)
    if origin in (collections.abc.Iterator, collections.abc.AsyncIterator, collections.abc.Generator,
                  collections.abc.AsyncGenerator, collections.abc.Iterable, collections.abc.AsyncIterable):
        args = typing.get_args(tpe)
        if not args:
            raise SignatureError(f"{where}: iterator type must have a type argument")
        item = _strip_annotated(args[0])
        if _is_union(item) or item is list or typing.get_origin(item) is list:
            raise SignatureError(f"{where}: iterator element type must not be Optional or List")
        return OutputType({"type": "array", "items": _value_schema(item, where), "x-cog-array-type": "iterator"},
                          iterator=True)
    if tpe is type(None) or tpe is None:
        return OutputType({})
    return OutputType(_value_schema(tpe, where))


def _value_schema(tpe, where: str) -> dict:
    tpe = _strip_annotated(tpe)
    if tpe is typing.Any:
        return {}
    if _is_union(tpe):
        if type(None) in typing.get_args(tpe):
            raise SignatureError(f"{where}: output must not be Optional: a prediction succeeds with a value "
                                 "or fails with an error")
        raise SignatureError(f"{where}: output must not be a Union of several types (ambiguous for clients): "
                             "return one type, or a BaseModel with a field for each")
    if _is_model(tpe):
        hints = typing.get_type_hints(tpe)
        properties = {}
        for name, field_type in hints.items():
            kind, repeated, _optional, _ = _parse_type(field_type, f"{where}: output field {name}")
            schema = {"type": "array", "items": dict(_JSON_TYPES[kind])} if repeated else dict(_JSON_TYPES[kind])
            properties[name] = {**schema, "title": _title(name)}
        return {"type": "object", "properties": properties, "required": list(hints)}
    if tpe is list or typing.get_origin(tpe) is list:
        args = typing.get_args(tpe)
        return {"type": "array", "items": _value_schema(args[0], where) if args else {"type": "object"}}
    if typing.get_origin(tpe) is dict:
        args = typing.get_args(tpe)
        return {"type": "object", "additionalProperties": _value_schema(args[1], where)} if args else {"type": "object"}
    return dict(_JSON_TYPES[_primitive(tpe, where)])


def _is_model(tpe) -> bool:
    return inspect.isclass(tpe) and (issubclass(tpe, cog.BaseModel) or dataclasses.is_dataclass(tpe)
                                     or hasattr(tpe, "model_fields"))


def _title(name: str) -> str:
    return name.replace("_", " ").title()


# --- schema ----------------------------------------------------------------------------------


def input_schema(info: Signature, title: str = "Input") -> dict:
    """`components.schemas.Input`: a property per input with Cog's title, x-order and constraints."""
    info = inspect_predictor(info)
    if not info.typed:
        declared = info.declared_input_schema
        return dict(declared) if isinstance(declared, dict) else {"title": title, "type": "object"}
    properties, required = {}, []
    for name, field in info.inputs.items():
        prop = {"x-order": field.order}
        if field.choices is not None:
            prop["allOf"] = [{"$ref": f"#/components/schemas/{name}"}]
        else:
            prop["title"] = _title(name)
            prop.update({"type": "array", "items": dict(_JSON_TYPES[field.kind])} if field.repeated
                        else _JSON_TYPES[field.kind])
        if field.required:
            required.append(name)
        elif field.default is not MISSING:
            prop["default"] = _json_default(field.default)
        if field.optional:
            prop["nullable"] = True
        for key, value in (("description", field.description), ("minimum", _float(field.ge)),
                           ("maximum", _float(field.le)), ("minLength", field.min_length),
                           ("maxLength", field.max_length), ("pattern", field.regex),
                           ("deprecated", field.deprecated)):
            if value is not None:
                prop[key] = value
        properties[name] = prop
    schema = {"title": title, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def enum_schemas(info: Signature) -> dict:
    """The components Cog adds for inputs with choices (or a Literal type), referenced by allOf."""
    info = inspect_predictor(info)
    return {name: {"title": name, "description": "An enumeration.", "enum": list(field.choices),
                   **_JSON_TYPES[field.kind]}
            for name, field in info.inputs.items() if field.choices is not None}


def output_schema(info: Signature, title: str = "Output") -> dict:
    """`components.schemas.Output`."""
    info = inspect_predictor(info)
    if not info.typed and isinstance(info.declared_output_schema, dict):
        return dict(info.declared_output_schema)
    return {"title": title, **info.output.schema}


def _float(value):
    return None if value is None else float(value)


def _json_default(value):
    if isinstance(value, cog.Secret):
        return value.get_secret_value()
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_default(v) for v in value]
    return value


def openapi_document(predictor, trainer=None) -> dict:
    """The OpenAPI 3.0.2 document Cog serves at /openapi.json and labels images with (run.cog.openapi_schema)."""
    info = inspect_predictor(predictor)
    schemas = {
        "Input": input_schema(info),
        "Output": output_schema(info),
        **enum_schemas(info),
        "PredictionRequest": _request("PredictionRequest", "Input"),
        "PredictionResponse": _response("PredictionResponse", "Input", "Output"),
        "Status": {"title": "Status", "description": "An enumeration.", "type": "string",
                   "enum": ["starting", "processing", "succeeded", "canceled", "failed"]},
        "WebhookEvent": {"title": "WebhookEvent", "description": "An enumeration.", "type": "string",
                         "enum": ["start", "output", "logs", "completed"]},
        "HTTPValidationError": {"title": "HTTPValidationError", "type": "object", "properties": {"detail": {
            "title": "Detail", "type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}}},
        "ValidationError": {"title": "ValidationError", "required": ["loc", "msg", "type"], "type": "object",
                            "properties": {
                                "loc": {"title": "Location", "type": "array",
                                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                                "msg": {"title": "Message", "type": "string"},
                                "type": {"title": "Error Type", "type": "string"}}},
    }
    paths = {
        "/": {"get": _operation("Root", "root__get", None)},
        "/health-check": {"get": _operation("Healthcheck", "healthcheck_health_check_get", None)},
        "/shutdown": {"post": _operation("Start Shutdown", "start_shutdown_shutdown_post", None)},
        **_job_paths("predictions", "prediction", "Predict", "PredictionRequest", "PredictionResponse"),
    }
    if trainer is not None:
        train = inspect_predictor(trainer, "train") if inspect.isclass(trainer) else inspect_predictor(trainer)
        schemas["TrainingInput"] = input_schema(train, "TrainingInput")
        schemas["TrainingOutput"] = output_schema(train, "TrainingOutput")
        for name, enum_schema in enum_schemas(train).items():
            if schemas.get(name, enum_schema) != enum_schema:
                raise SignatureError(f"train() and predict() both have an input {name!r} with different choices")
            schemas[name] = enum_schema
        schemas["TrainingRequest"] = _request("TrainingRequest", "TrainingInput")
        schemas["TrainingResponse"] = _response("TrainingResponse", "TrainingInput", "TrainingOutput")
        paths.update(_job_paths("trainings", "training", "Train", "TrainingRequest", "TrainingResponse"))
    return {"openapi": "3.0.2", "info": {"title": "Cog", "version": "0.1.0"}, "paths": paths,
            "components": {"schemas": schemas}}


def _request(title: str, input_name: str) -> dict:
    return {"title": title, "type": "object", "properties": {
        "id": {"title": "Id", "type": "string"},
        "input": {"$ref": f"#/components/schemas/{input_name}"},
        "webhook": {"title": "Webhook", "maxLength": 65536, "minLength": 1, "type": "string", "format": "uri"},
        "webhook_events_filter": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEvent"},
                                  "default": ["start", "output", "logs", "completed"]},
        "output_file_prefix": {"title": "Output File Prefix", "type": "string"},
        "context": {"title": "Context", "type": "object", "additionalProperties": {"type": "string"}},
    }}


def _response(title: str, input_name: str, output_name: str) -> dict:
    def text(name):
        return {"title": _title(name), "type": "string"}

    def moment(name):
        return {**text(name), "format": "date-time"}

    return {"title": title, "type": "object", "properties": {
        "input": {"$ref": f"#/components/schemas/{input_name}"},
        "output": {"$ref": f"#/components/schemas/{output_name}"},
        "id": text("id"), "version": text("version"), "created_at": moment("created_at"),
        "started_at": moment("started_at"), "completed_at": moment("completed_at"),
        "logs": {"title": "Logs", "type": "string", "default": ""}, "error": text("error"),
        "status": {"$ref": "#/components/schemas/Status"}, "metrics": {"title": "Metrics", "type": "object"},
    }}


def _operation(summary: str, operation_id: str, response, request=None, description=None) -> dict:
    schema = {"$ref": f"#/components/schemas/{response}"} if response else {}
    op = {"summary": summary, "operationId": operation_id,
          "responses": {"200": {"description": "Successful Response", "content": {"application/json": {"schema": schema}}}}}
    if description:
        op["description"] = description
    if request:
        op["requestBody"] = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}}}
    if request or response is None and operation_id.startswith("cancel"):
        op["responses"]["422"] = {"description": "Validation Error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}
    return op


def _job_paths(kind: str, noun: str, summary: str, request: str, response: str) -> dict:
    description = "Run a single prediction on the model" if kind == "predictions" else "Run a training session"
    param = [{"required": True, "schema": {"title": f"{noun.title()} Id", "type": "string"},
              "name": f"{noun}_id", "in": "path"}]
    create = _operation(summary, f"{summary.lower()}_{kind}_post", response, request, description)
    idempotent = {**_operation(f"{summary} Idempotent", f"{summary.lower()}_idempotent_{kind}__{noun}_id__put",
                               response, request, description), "parameters": param}
    cancel = {**_operation("Cancel", f"cancel_{kind}__{noun}_id__cancel_post", None), "parameters": param}
    return {f"/{kind}": {"post": create}, f"/{kind}/{{{noun}_id}}": {"put": idempotent},
            f"/{kind}/{{{noun}_id}}/cancel": {"post": cancel}}


# --- inputs ----------------------------------------------------------------------------------


def check_inputs(info, raw: dict) -> dict:
    """Applies defaults, coerces and checks every input; raises InputValidationError listing all problems."""
    info = inspect_predictor(info)
    if not isinstance(raw, dict):
        raise InputValidationError([_error(["body", "input"], "value is not a valid dict", "type_error.dict")])
    if not info.typed:
        return dict(raw)
    kwargs, errors = {}, []
    for name, field in info.inputs.items():
        loc = ["body", "input", name]
        if name in raw and raw[name] is not None:
            kwargs[name] = _coerce_field(field, raw[name], loc, errors)
        elif name in raw and not field.optional:
            errors.append(_error(loc, "none is not an allowed value", "type_error.none.not_allowed"))
        elif field.default is not MISSING:
            kwargs[name] = _copy_default(field)
        elif field.optional:
            kwargs[name] = None
        else:
            errors.append(_error(loc, "field required", "value_error.missing"))
    for name in raw:
        if name not in info.inputs:
            errors.append(_error(["body", "input", name], "extra fields not permitted", "value_error.extra"))
    if errors:
        raise InputValidationError(errors)
    return kwargs


def _copy_default(field: InputField):
    value = field.default
    if field.kind in (PATH, FILE):
        refs = [FileRef(field.name, field.kind, local=pathlib.Path(v)) for v in (value if field.repeated else [value])]
        return refs if field.repeated else refs[0]
    return list(value) if isinstance(value, list) else value


def _error(loc: list, msg: str, kind: str, ctx: dict | None = None) -> dict:
    error = {"loc": list(loc), "msg": msg, "type": kind}
    if ctx:
        error["ctx"] = ctx
    return error


def _coerce_field(field: InputField, value, loc: list, errors: list):
    if not field.repeated:
        return _coerce_one(field, value, loc, errors)
    if not isinstance(value, (list, tuple)):
        errors.append(_error(loc, "value is not a valid list", "type_error.list"))
        return None
    return [_coerce_one(field, item, loc + [i], errors) for i, item in enumerate(value)]


def _coerce_one(field: InputField, value, loc: list, errors: list):
    before = len(errors)
    value = _coerce_type(field, value, loc, errors)
    if len(errors) > before:
        return None
    if field.choices is not None and value not in field.choices:
        permitted = ", ".join(repr(c) for c in field.choices)
        errors.append(_error(loc, f"value is not a valid enumeration member; permitted: {permitted}", "type_error.enum",
                             {"enum_values": list(field.choices)}))
    if field.ge is not None and value < field.ge:
        errors.append(_error(loc, f"ensure this value is greater than or equal to {field.ge}",
                             "value_error.number.not_ge", {"limit_value": field.ge}))
    if field.le is not None and value > field.le:
        errors.append(_error(loc, f"ensure this value is less than or equal to {field.le}",
                             "value_error.number.not_le", {"limit_value": field.le}))
    if field.min_length is not None and len(value) < field.min_length:
        errors.append(_error(loc, f"ensure this value has at least {field.min_length} characters",
                             "value_error.any_str.min_length", {"limit_value": field.min_length}))
    if field.max_length is not None and len(value) > field.max_length:
        errors.append(_error(loc, f"ensure this value has at most {field.max_length} characters",
                             "value_error.any_str.max_length", {"limit_value": field.max_length}))
    if field.regex is not None and not re.match(field.regex, value):
        errors.append(_error(loc, f'string does not match regex "{field.regex}"', "value_error.str.regex",
                             {"pattern": field.regex}))
    return value


def _coerce_type(field: InputField, value, loc: list, errors: list):
    kind = field.kind
    if kind == STR or kind == SECRET:
        if isinstance(value, cog.Secret) and kind == SECRET:
            return value
        if not isinstance(value, str):
            errors.append(_error(loc, "str type expected", "type_error.str"))
            return None
        return cog.Secret(value) if kind == SECRET else value
    if kind == INT:
        number = _number(value, int)
        if number is None:
            errors.append(_error(loc, "value is not a valid integer", "type_error.integer"))
        return number
    if kind == FLOAT:
        number = _number(value, float)
        if number is None:
            errors.append(_error(loc, "value is not a valid float", "type_error.float"))
        return number
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        errors.append(_error(loc, "value could not be parsed to a boolean", "type_error.bool"))
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
    if isinstance(value, int) and tpe is float:
        return float(value)
    if isinstance(value, float) and tpe is int:
        return int(value) if value.is_integer() else None
    return value if isinstance(value, tpe) else None


def _file_ref(field: InputField, value, loc: list, errors: list):
    if isinstance(value, pathlib.PurePath):
        return FileRef(field.name, field.kind, local=pathlib.Path(value))
    if not isinstance(value, str):
        errors.append(_error(loc, "str type expected", "type_error.str"))
        return None
    scheme = urllib.parse.urlsplit(value).scheme.lower() if ":" in value else ""
    if scheme == "data":
        try:
            _decode_data_url(value)
        except ValueError as e:
            errors.append(_error(loc, f"invalid data: URL: {e}", "value_error.url"))
            return None
    elif scheme in ("http", "https"):
        if not urllib.parse.urlsplit(value).netloc:
            errors.append(_error(loc, "URL host invalid", "value_error.url.host"))
            return None
    else:
        errors.append(_error(loc, f"'{scheme}' is not a valid URL scheme. 'data', 'http', or 'https' is supported.",
                             "value_error.url.scheme"))
        return None
    return FileRef(field.name, field.kind, url=value)


def _decode_data_url(url: str):
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


def validate_inputs(info, raw: dict, input_dir, download=None) -> dict:
    """check_inputs() then resolve_files(): the kwargs predict() is called with."""
    return resolve_files(check_inputs(info, raw), input_dir, download)


def _fetch(ref: FileRef, input_dir: pathlib.Path, download) -> cog.Path:
    if ref.local is not None:
        return cog.Path(ref.local)
    input_dir.mkdir(parents=True, exist_ok=True)
    target_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"{ref.name}-", dir=input_dir))
    if ref.url.lower().startswith("data:"):
        data, mime = _decode_data_url(ref.url)
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


def download_url(url: str, target_dir: pathlib.Path, max_bytes: int = MAX_DOWNLOAD_BYTES) -> pathlib.Path:
    """The default downloader: GET url (through HTTP(S)_PROXY when set) into target_dir, keeping its file name."""
    name = os.path.basename(urllib.parse.unquote(urllib.parse.urlsplit(url).path)) or "file"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "file"
    path = target_dir / name
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response, open(path, "wb") as out:  # noqa: S310 -- http(s) only, checked
        copied = 0
        while chunk := response.read(1 << 16):
            copied += len(chunk)
            if copied > max_bytes:
                raise ValueError(f"larger than {max_bytes} bytes")
            out.write(chunk)
    return path


# --- calls -----------------------------------------------------------------------------------


def run_setup(instance, weights=None) -> None:
    """Calls instance.setup() (with `weights` when it takes them), running it to completion if async."""
    setup = getattr(instance, "setup", None)
    if setup is None:
        return
    takes_weights = "weights" in inspect.signature(setup).parameters
    result = setup(weights=weights) if takes_weights else setup()
    if inspect.isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


class Call:
    """One predict()/run()/train() call, sync or async, returning or yielding.

    run() blocks the calling thread; an async call gets an event loop of its own for the job,
    so cancel() can cancel its task from any thread (predict sees asyncio.CancelledError).
    """

    def __init__(self, fn, kwargs: dict):
        self._fn = fn
        self._kwargs = kwargs
        self._lock = threading.Lock()
        self._loop = None
        self._task = None
        self._canceled = False

    def run(self):
        """The return value, or an iterator over the items of a (sync or async) generator."""
        result = self._fn(**self._kwargs)
        if inspect.isawaitable(result):
            return self._on_loop(lambda loop: loop.run_until_complete(self._start(loop, result)), close=True)
        if inspect.isasyncgen(result) or isinstance(result, collections.abc.AsyncIterator):
            return self._drive(result)
        return result

    def cancel(self) -> bool:
        """Cancels an async call's task (thread-safe); False for a sync call, which the caller interrupts itself."""
        with self._lock:
            self._canceled = True
            if self._loop is None or self._task is None:
                return False
            self._loop.call_soon_threadsafe(self._task.cancel)
            return True

    def _start(self, loop, awaitable):
        with self._lock:
            if self._canceled:  # canceled before it began: never start it
                getattr(awaitable, "close", lambda: None)()
                raise asyncio.CancelledError()
            self._task = loop.create_task(_await(awaitable))
            return self._task

    def _on_loop(self, body, close: bool):
        with self._lock:
            self._loop = self._loop or asyncio.new_event_loop()
            loop = self._loop
        try:
            return body(loop)
        except asyncio.CancelledError:
            raise CancelationException() from None
        finally:
            if close:
                self._close_loop()

    def _close_loop(self):
        with self._lock:
            loop, self._loop, self._task = self._loop, None, None
        if loop is not None:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _drive(self, agen):
        try:
            while True:
                try:
                    item = self._on_loop(lambda loop: loop.run_until_complete(self._start(loop, agen.__anext__())),
                                         close=False)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            if self._loop is not None and hasattr(agen, "aclose"):
                try:
                    self._loop.run_until_complete(agen.aclose())
                except BaseException:  # noqa: BLE001 -- closing after a failure: the first error is the one to report
                    pass
            self._close_loop()


async def _await(awaitable):
    return await awaitable


# --- outputs ---------------------------------------------------------------------------------


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
