"""GET /openapi.json: Cog's document shape, with the processor's own input schema as `Input`."""

import json

from . import __version__, signature

OBJECT = {"type": "object"}


def document(worker) -> dict:
    """A Cog predictor's document derived from its signature (as Cog); a plain processor's as below."""
    info = worker.info or {}
    if info.get("predictions") is not None and info["predictions"].typed:
        return signature.openapi_document(info["predictions"], info.get("trainings"))
    cls = worker.processor_class
    schemas = {
        "Input": _class_schema(cls, "input_schema") or _file_schema(worker.config.input_schema_file) or OBJECT,
        "Output": _class_schema(cls, "output_schema") or {},
        "Status": {"type": "string", "enum": ["starting", "processing", "succeeded", "canceled", "failed"]},
        "PredictionRequest": _request("#/components/schemas/Input"),
        "PredictionResponse": _response("#/components/schemas/Input"),
        "HealthCheck": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["STARTING", "READY", "BUSY", "SETUP_FAILED", "DEFUNCT"]},
                "setup": {"type": "object"},
            },
        },
    }
    paths = {
        "/health-check": {"get": _op("healthcheck", "HealthCheck")},
        **_job_paths("predictions", "Prediction", "PredictionRequest", "PredictionResponse"),
    }
    if cls is not None and callable(getattr(cls, "train", None)):
        schemas["TrainingInput"] = _class_schema(cls, "train_input_schema") or OBJECT
        schemas["TrainingRequest"] = _request("#/components/schemas/TrainingInput")
        schemas["TrainingResponse"] = _response("#/components/schemas/TrainingInput")
        paths.update(_job_paths("trainings", "Training", "TrainingRequest", "TrainingResponse"))
    return {
        "openapi": "3.0.2",
        "info": {"title": "Hangar runtime", "version": __version__},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _class_schema(cls, attribute):
    value = getattr(cls, attribute, None) if cls is not None else None
    return json.loads(value) if isinstance(value, str) else value


def _file_schema(path):
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _request(input_ref: str) -> dict:
    return {
        "type": "object",
        "properties": {"id": {"type": "string"}, "input": {"$ref": input_ref}},
    }


def _response(input_ref: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "status": {"$ref": "#/components/schemas/Status"},
            "input": {"$ref": input_ref},
            "output": {"$ref": "#/components/schemas/Output"},
            "error": {"type": "string", "nullable": True},
            "logs": {"type": "string"},
            "started_at": {"type": "string", "format": "date-time"},
            "completed_at": {"type": "string", "format": "date-time"},
            "metrics": {"type": "object"},
        },
    }


def _job_paths(kind: str, noun: str, request: str, response: str) -> dict:
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}}}
    id_param = [{"name": f"{noun.lower()}_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        f"/{kind}": {"post": {**_op(f"{noun.lower()}_create", response, streams=True), "requestBody": body}},
        f"/{kind}/{{{noun.lower()}_id}}": {
            "get": {**_op(f"{noun.lower()}_get", response), "parameters": id_param},
            "put": {**_op(f"{noun.lower()}_idempotent", response, streams=True), "parameters": id_param, "requestBody": body},
        },
        f"/{kind}/{{{noun.lower()}_id}}/cancel": {"post": {**_op(f"{noun.lower()}_cancel", None), "parameters": id_param}},
    }


def _op(operation_id: str, schema, streams=False) -> dict:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"} if schema else {}}}
    if streams:
        # Accept: text/event-stream gives Cog's start/log/output/metric events (and progress), then `completed`.
        content["text/event-stream"] = {"schema": {"type": "string"}}
    return {"operationId": operation_id, "responses": {"200": {"description": "Successful Response", "content": content}}}
