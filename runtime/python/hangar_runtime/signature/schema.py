"""The JSON Schemas and the OpenAPI document Cog derives from a predictor (python/cog/_schemas.py)."""

import inspect
import pathlib

import cog
from cog.input import MISSING

from .introspect import inspect_predictor
from .model import JSON_TYPES, Signature, SignatureError, cog_title


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
            prop["title"] = cog_title(name)
            prop.update({"type": "array", "items": dict(JSON_TYPES[field.kind])} if field.repeated
                        else JSON_TYPES[field.kind])
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
                   **JSON_TYPES[field.kind]}
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
        return {"title": cog_title(name), "type": "string"}

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
          "responses": {"200": {"description": "Successful Response",
                                "content": {"application/json": {"schema": schema}}}}}
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
