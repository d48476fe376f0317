"""setup() blocks until the test creates the file named by GATE_FILE, so STARTING can be observed."""

import os
import time
from pathlib import Path

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def setup(self):
        print("waiting for the gate")
        gate = Path(os.environ["GATE_FILE"])
        deadline = time.monotonic() + 30
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        print("gate open")

    def predict(self):
        return {"ok": True}
