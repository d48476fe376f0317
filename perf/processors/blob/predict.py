"""Writes size_bytes deterministic bytes to blob.bin: a fixture for measuring output handling."""

import hashlib

from hangar_runtime.processor import Processor


class Predictor(Processor):
    input_schema = {
        "type": "object",
        "required": ["size_bytes"],
        "properties": {"size_bytes": {"type": "integer", "minimum": 1, "maximum": 1073741824}},
        "additionalProperties": False,
    }

    def predict(self, size_bytes):
        block = hashlib.sha256(b"hangar-perf").hexdigest().encode() * 32768  # 2 MiB
        with open(self.output_dir / "blob.bin", "wb") as out:
            left = size_bytes
            while left > 0:
                chunk = block[: min(left, len(block))]
                out.write(chunk)
                left -= len(chunk)
        return None
