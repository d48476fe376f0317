"""inspect_predictor(): reads a predictor's inputs and output from its signature, as Cog's inspector does."""

import collections.abc
import dataclasses
import inspect
import io
import os
import pathlib
import re
import types
import typing

import cog
from cog.input import MISSING, FieldInfo
from cog.predictor import UNSPECIFIED, BasePredictor, BaseRunner

from .coerce import coerce_field
from .model import (JSON_TYPES, LEGACY_KINDS, PRIMITIVES, ANY, BOOL, FILE, FLOAT, INT, PATH, SECRET, STR,
                    InputField, OutputType, Signature, SignatureError, cog_title)


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
        if fn in (BasePredictor.predict, BaseRunner.run):
            raise SignatureError(f"{name} does not implement {method}()")
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
    """run() on a BaseRunner (unless it overrides predict() itself), else predict()."""
    if issubclass(cls, BaseRunner) and cls.predict is BaseRunner.predict:
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
    kind = LEGACY_KINDS["Path" if isinstance(spec["type"], type) and issubclass(spec["type"], pathlib.PurePath)
                        else spec["type"].__name__]
    default = MISSING if spec["default"] is UNSPECIFIED else spec["default"]
    return InputField(spec["name"], order, kind, optional=default is None,
                      default=MISSING if default is None else default,
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
        kinds = {PRIMITIVES.get(type(v)) for v in values}
        if len(kinds) != 1 or kinds & {None} or not kinds <= {STR, INT}:
            raise SignatureError(f"{where}: Literal values must all be str or all be int, got {values!r}")
        return kinds.pop(), repeated, optional, values
    return _primitive(tpe, where), repeated, optional, None


def _primitive(tpe, where: str) -> str:
    if tpe in PRIMITIVES:
        return PRIMITIVES[tpe]
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
    plain = MISSING if default is inspect.Parameter.empty else default
    info = default if isinstance(default, FieldInfo) else FieldInfo(plain)
    value = info.default
    if value is None:  # Input(default=None): optional, as Cog documents
        optional, value = True, MISSING
    choices = literal if literal is not None else info.choices
    field = InputField(name, order, kind, repeated, optional, MISSING, info.description, info.ge, info.le,
                       info.min_length, info.max_length, info.regex, choices, info.deprecated)
    _check_constraints(field, f"{name}: {_python_name(field)}")
    if value is not MISSING and kind not in (PATH, FILE):
        errors = []
        value = coerce_field(field, value, [name], errors)
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
        if any(PRIMITIVES.get(type(c)) != field.kind for c in field.choices):
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
            schema = {"type": "array", "items": dict(JSON_TYPES[kind])} if repeated else dict(JSON_TYPES[kind])
            properties[name] = {**schema, "title": cog_title(name)}
        return {"type": "object", "properties": properties, "required": list(hints)}
    if tpe is list or typing.get_origin(tpe) is list:
        args = typing.get_args(tpe)
        return {"type": "array", "items": _value_schema(args[0], where) if args else {"type": "object"}}
    if typing.get_origin(tpe) is dict:
        args = typing.get_args(tpe)
        return {"type": "object", "additionalProperties": _value_schema(args[1], where)} if args else {"type": "object"}
    return dict(JSON_TYPES[_primitive(tpe, where)])


def _is_model(tpe) -> bool:
    return inspect.isclass(tpe) and (issubclass(tpe, cog.BaseModel) or dataclasses.is_dataclass(tpe)
                                     or hasattr(tpe, "model_fields"))
