"""Fails on purpose: prints more lines than a stderr tail keeps, then raises naming its secret."""

import os
import sys

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def predict(self, **inputs):
        for i in range(1, 21):
            print(f"working {i} of 20", file=sys.stderr)
        raise ValueError(f"the model refused token {os.environ.get('TEST_TOKEN', '')}")
