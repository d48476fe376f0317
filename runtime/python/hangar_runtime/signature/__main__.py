"""`python3 -m hangar_runtime.signature --predict predict.py:Predictor [--train train.py:train]`.

Prints the OpenAPI document derived from the predictor's signature, for the build to label the
image with (`run.cog.openapi_schema`) without starting the server, as Cog's build does with
`python -m cog.command.openapi_schema`. Run it in the project folder (/src in an image): refs
are the `predict`/`run` and `train` values of cog.yaml. Exit status 1 with the reason on stderr
when the signature cannot be served.
"""

import argparse
import json
import sys

from ..loader import load_class
from . import SignatureError, openapi_document


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hangar_runtime.signature",
                                     description="Print the OpenAPI document of a Cog predictor.")
    parser.add_argument("--predict", required=True, help="the predict (or run) entry, e.g. predict.py:Predictor")
    parser.add_argument("--train", help="the train entry, e.g. train.py:train")
    args = parser.parse_args(argv)
    try:
        predictor = load_class(args.predict)
        trainer = load_class(args.train) if args.train else None
    except Exception as e:  # noqa: BLE001 -- whatever the model's module raises on import
        print(f"cannot load the predictor: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    try:
        document = openapi_document(predictor, trainer)
    except SignatureError as e:
        print(f"the predictor's signature cannot be served: {e}", file=sys.stderr)
        return 1
    json.dump(document, sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
