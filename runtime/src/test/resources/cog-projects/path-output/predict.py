import tempfile

from cog import BasePredictor, Input, Path


class Predictor(BasePredictor):
    def predict(
        self,
        text: str = Input(description="Text to write into the file"),
        copies: int = Input(description="How many times", default=2, ge=1, le=10),
    ) -> Path:
        # To output a cog.Path the file must exist, so write it to a temporary folder first.
        output_path = Path(tempfile.mkdtemp()) / "out.txt"
        output_path.write_text("\n".join([text] * copies) + "\n")
        return output_path
