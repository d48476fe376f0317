"""Takes its time (so an executor can be killed mid-run), then writes one output."""

import os
import time

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def predict(self, seconds=5):
        for i in range(int(seconds)):
            print(f"working {i + 1} of {seconds}", flush=True)
            time.sleep(1)
        with open(os.path.join(os.environ["HANGAR_OUTPUT_DIR"], "result.txt"), "w") as f:
            f.write(f"slept {seconds} s\n")
        return {"slept": seconds}
