"""A Cog predictor's interface, read from its signature: schemas, input checks, calls, output encoding.

Cog derives a model's whole interface from predict()'s parameters and return annotation; this
package does the same for the `cog` module Hangar ships (runtime/python/cog), so no project writes
its schema twice. The schema follows Cog's Python SDK generator (replicate/cog
`python/cog/_schemas.py`, `_adt.py`, `_inspector.py`: the dataclass-based SDK 0.17 line; choices
are a component named after the input, referenced with `allOf`, as in every Cog since 0.1); 422
messages follow the pydantic-v1 wording Cog's HTTP tests assert (`value is not a valid integer`).

How the worker uses it (everything is pure unless marked I/O):

    info = inspect_predictor(cls)          # at load (and at build): raises SignatureError, a ValueError
    info = inspect_predictor(cls, "train") # /trainings; or a train function: inspect_predictor(train_fn)
        info.typed      False for a plain Hangar class (untyped predict(**kw)): inputs pass through
                        unchecked, schemas come from its input_schema/output_schema attributes
        info.entry(instance) -> the bound predict/run/train (or the function itself)
        info.streaming  True under @cog.streaming (Cog answers 406 to text/event-stream without it)
        info.output.iterator / .concatenate    the output is streamed item by item
        info.is_async, info.secret_inputs (names to mask when echoing `input`)
    openapi_document(info_or_cls, trainer=None) -> dict    # /openapi.json, label run.cog.openapi_schema

    run_setup(instance, weights=None)      # setup(), or setup(weights=...), awaited when async

    per job:
    kwargs = check_inputs(info, raw_input)              # before the job is accepted, no I/O:
        InputValidationError -> HTTP 422 {"detail": e.detail}, detail = [{loc, msg, type[, ctx]}]
    kwargs = resolve_files(kwargs, job_input_dir)       # I/O, in the job: data:/http(s) inputs to files
        InputFetchError -> the prediction fails with its message (URL shown without query/credentials)
        download=fn(url, target_dir: pathlib.Path) -> pathlib.Path replaces download_url (tests)
    with cog.scope.use_scope(cog.scope.Scope(on_record=fn(name, value, mode), context=req_context)) as scope:
        call = Call(info.entry(instance), kwargs)       # keep it: cancel() may come from another thread
        result = call.run()                             # blocks; async code runs on the shared loop
            raises cog.CancelationException once canceled; any other exception is the failure
        if is_stream(result):
            for chunk in stream_output(result, output_dir, upload):   # publish `output` events
                ...
        else:
            output = encode_output(result, output_dir, upload)
    metrics = scope.metrics.to_dict()                   # add predict_time after, it wins
    call.cancel() -> True: an async task was canceled (asyncio.CancelledError inside predict);
                     False: a sync call, interrupt it with CancelationException as today
                     (an interrupted job thread that waits on an async task cancels the task too)
    Async setup() and predictions share one event loop per process (default_loop(), a thread of
    its own), as in Cog: concurrent async jobs interleave there (concurrency.max).
    upload: fn(path: pathlib.Path) -> str (the file's URL); None gives data: URLs, as Cog does.
    File outputs are copied into output_dir first (name kept, -1, -2... on a clash). When the job
    ends: close_inputs(kwargs) (cog.File inputs are open files), then remove job_input_dir.

The build: `python3 -m hangar_runtime.signature --predict predict.py:Predictor [--train train.py:train]`
in the project folder prints the OpenAPI document (exit 1 and the reason on stderr when refused).

Modules: model (kinds, errors, the Signature), introspect, schema, coerce (one value), inputs,
calls, outputs.
"""

from cog.input import MISSING

from .calls import Call, EventLoop, default_loop, run_setup
from .inputs import (DOWNLOAD_TIMEOUT_SECONDS, MAX_DOWNLOAD_BYTES, check_inputs, close_inputs, download_url,
                     resolve_files, validate_inputs)
from .introspect import inspect_predictor
from .model import (ANY, BOOL, FILE, FLOAT, INT, PATH, SECRET, STR, FileRef, InputFetchError, InputField,
                    InputValidationError, OutputType, Signature, SignatureError)
from .outputs import encode_output, is_stream, stream_output
from .schema import enum_schemas, input_schema, openapi_document, output_schema

__all__ = [
    "ANY", "BOOL", "DOWNLOAD_TIMEOUT_SECONDS", "FILE", "FLOAT", "INT", "MAX_DOWNLOAD_BYTES", "MISSING", "PATH",
    "SECRET", "STR", "Call", "EventLoop", "FileRef", "InputFetchError", "InputField", "InputValidationError",
    "OutputType", "Signature", "SignatureError", "check_inputs", "close_inputs", "default_loop", "download_url",
    "encode_output", "enum_schemas", "input_schema", "inspect_predictor", "is_stream", "openapi_document",
    "output_schema", "resolve_files", "run_setup", "stream_output", "validate_inputs",
]
