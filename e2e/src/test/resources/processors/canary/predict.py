"""Puts CANARY_SECRET into every event channel, then fails with it in the error (or succeeds)."""

import os
import sys

from hangar_runtime.processor import Processor


class Predictor(Processor):
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"fail": {"type": "boolean", "default": True}},
        "additionalProperties": False,
    }

    def predict(self, fail=True):
        canary = os.environ.get("CANARY_SECRET", "no-secret-in-mock-mode")
        print(f"stdout carries {canary}")
        print(f"stderr carries {canary}", file=sys.stderr)
        self.emit_token(f"token {canary}")
        self.progress(0.5, f"progress {canary}")
        (self.output_dir / "note.txt").write_text("nothing secret here\n")
        if fail:
            raise RuntimeError(f"failing with {canary}")
