"""Runs for `seconds`, quietly. With check_flag it polls self.canceled; without it only the
runtime's asynchronous exception can stop it."""

import time

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def predict(self, seconds=60.0, check_flag=True):
        print("started")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check_flag and self.canceled:
                print("saw the cancel flag")
                return {"stopped": "flag"}
            time.sleep(0.01)
        return {"slept": seconds}
