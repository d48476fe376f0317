"""setup() raises: the runtime must report SETUP_FAILED with the traceback."""

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def setup(self):
        print("loading weights")
        raise RuntimeError("weights file is missing")

    def predict(self):
        return {"never": True}
