"""A well-behaved processor: prints to both streams, streams tokens and progress, can fail, can train."""

import sys

from hangar_runtime.processor import Processor


class Predictor(Processor):
    input_schema = {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string"}, "fail": {"type": "boolean"}},
        "additionalProperties": False,
    }

    def setup(self):
        self.calls = 0
        print("basic setup done")

    def predict(self, text, fail=False):
        self.calls += 1
        print(f"call {self.calls}: {len(text)} chars")
        print("a line on stderr", file=sys.stderr)
        if fail:
            raise ValueError(f"cannot handle {text!r}")
        for i, word in enumerate(text.split()):
            self.emit_token(word)
            self.progress((i + 1) / len(text.split()), f"word {i + 1}")
        return {"text": text, "calls": self.calls, "mode": self.mode}

    def train(self, steps=1):
        print(f"training for {steps} steps")
        return {"trained_steps": steps}
