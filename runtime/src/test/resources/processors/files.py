"""Returns files in the ways processors do: a Path, Paths in a dict, or files written in place."""

import tempfile
from pathlib import Path

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def predict(self, how="path"):
        scratch = Path(tempfile.mkdtemp())
        if how == "path":
            image = scratch / "image.bin"
            image.write_bytes(bytes(range(256)))
            return image
        if how == "dict":
            (scratch / "a").mkdir()
            (scratch / "b").mkdir()
            (scratch / "a" / "part.txt").write_text("first\n")
            (scratch / "b" / "part.txt").write_text("second\n")
            return {"parts": [scratch / "a" / "part.txt", scratch / "b" / "part.txt"], "count": 2}
        if how == "in_place":
            (self.output_dir / "report.txt").write_text("written by the processor\n")
            return None
        raise ValueError(f"unknown how: {how}")
