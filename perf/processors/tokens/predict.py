"""Emits `count` tokens `interval_ms` apart after `delay_ms` (the stream fan-out fixture of perf/bench.sh)."""

import time

from hangar_runtime.processor import Processor


class Predictor(Processor):
    input_schema = {
        "type": "object",
        "required": ["count"],
        "properties": {
            "count": {"type": "integer", "minimum": 1, "maximum": 100000},
            "interval_ms": {"type": "integer", "minimum": 0, "maximum": 10000},
            "delay_ms": {"type": "integer", "minimum": 0, "maximum": 120000},
        },
        "additionalProperties": False,
    }

    def predict(self, count, interval_ms=20, delay_ms=0):
        self._sleep(delay_ms / 1000)
        start = time.monotonic()
        for i in range(count):
            if self.canceled:
                return None
            self.emit_token(f" token-{i:06d}")
            # paced against the start, so a slow send does not stretch the schedule
            self._sleep(start + (i + 1) * interval_ms / 1000 - time.monotonic())
        return None

    def _sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.canceled:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
