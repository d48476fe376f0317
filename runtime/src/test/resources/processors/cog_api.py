"""Cog predictors for CogApiTest: each class shows one part of Cog's API (HANGAR_PREDICTOR=cog_api.py:<Class>)."""

import asyncio
import os
import tempfile
import time
from typing import Iterator

from cog import BasePredictor, Input, Path, Secret, streaming


class Predictor(BasePredictor):
    """Typed inputs with defaults and constraints, a Secret, a file input, logs and metrics."""

    def setup(self, weights=None):
        self.weights = weights

    def predict(
        self,
        text: str = Input(description="Text to repeat", min_length=1),
        n: int = Input(description="Repeats", default=2, ge=1, le=3),
        key: Secret = Input(description="A secret", default=None),
        doc: Path = Input(description="A file to read", default=None),
        sleep: float = Input(description="Seconds to sleep", default=0.0, ge=0.0),
        fail: bool = Input(description="Raise", default=False),
    ) -> str:
        print(f"weights={self.weights}")
        self.record_metric("calls", 1, mode="incr")
        self.record_metric("timing.sleep", sleep)
        if doc is not None:
            print(f"doc at {doc}")
            text += ":" + doc.read_text().strip()
        if key is not None:
            text += ":key=" + str(len(key.get_secret_value()))
        deadline = time.monotonic() + sleep
        while time.monotonic() < deadline:  # Python-level work: an injected cancel lands between steps
            time.sleep(0.05)
        if fail:
            raise ValueError("asked to fail")
        return text * n


class Files(BasePredictor):
    """A Path output, and a list of them."""

    def predict(self, text: str = Input(description="File content"), count: int = Input(default=1, ge=1, le=3)) -> list[Path]:
        folder = Path(tempfile.mkdtemp())
        paths = []
        for i in range(count):
            path = folder / f"out-{i}.txt"
            path.write_text(f"{text} {i}\n")
            paths.append(path)
        return paths


class Streamer(BasePredictor):
    """@streaming words, one every `pause` seconds, each logged."""

    @streaming
    def predict(self, count: int = Input(default=5, ge=0), pause: float = Input(default=0.0, ge=0)) -> Iterator[str]:
        for i in range(count):
            print(f"line {i}")
            self.record_metric("chunks", 1, mode="incr")
            yield f"w{i} "
            time.sleep(pause)


class AsyncSleeper(BasePredictor):
    """An async predictor: concurrent jobs interleave on the event loop; a cancel is asyncio.CancelledError."""

    async def predict(self, seconds: float = Input(default=0.1, ge=0)) -> str:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            print("saw CancelledError")
            raise
        return f"slept {seconds}"


class Healthy(BasePredictor):
    """healthcheck() reads HEALTH_FILE: "ok" -> True, "no" -> False, "raise" -> raises, "hang" -> sleeps 2 s."""

    def healthcheck(self):
        state = open(os.environ["HEALTH_FILE"]).read().strip()
        if state == "raise":
            raise RuntimeError("the GPU fell off")
        if state == "hang":
            time.sleep(2)
        return state == "ok"

    def predict(self, text: str = "x") -> str:
        return text


class SlowSetup(BasePredictor):
    def setup(self):
        print("loading weights slowly")
        time.sleep(60)

    def predict(self, text: str = "x") -> str:
        return text
