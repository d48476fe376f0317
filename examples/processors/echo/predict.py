"""Echo: answers a chat with its last user message. Deterministic, so mock runs compare by digest."""

import time

from hangar_runtime.processor import Processor

MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "properties": {
        "role": {"enum": ["system", "user", "assistant"]},
        "content": {"type": "string"},
    },
    "additionalProperties": False,
}


class Predictor(Processor):
    # Kept identical to inputs_schema in hangar.yaml; a runtime test checks they match.
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["schema", "params"],
        "properties": {
            "schema": {"const": "v1"},
            "params": {
                "type": "object",
                "required": ["messages"],
                "properties": {
                    "messages": {"type": "array", "minItems": 1, "items": MESSAGE},
                    "delay_seconds": {"type": "number", "minimum": 0, "maximum": 600},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }

    def predict(self, schema="v1", params=None):
        messages = (params or {}).get("messages") or []
        print(f"echoing {len(messages)} message(s)")
        self._wait((params or {}).get("delay_seconds", 0))
        last_user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        reply = f"Echo: {last_user}"
        words = reply.split(" ")
        for i, word in enumerate(words):
            self.emit_token(word if i == 0 else " " + word)
            self.progress((i + 1) / len(words), f"word {i + 1} of {len(words)}")
        # Nothing time- or mode-dependent goes in: the same messages give the same bytes.
        return {
            "schema": "v1",
            "reply": reply,
            "messages": messages + [{"role": "assistant", "content": reply}],
        }

    def _wait(self, seconds):
        """Simulates a slow model (for trying out timeouts and cancel); stops early when canceled."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.canceled:
            time.sleep(0.05)
