from cog import BasePredictor, Input, Path


class Predictor(BasePredictor):
    def setup(self, weights: Path = None):
        self.weights = weights.read_text() if weights else "base"

    def predict(self, prompt: str = Input(description="Prompt")) -> str:
        return f"{self.weights}: {prompt}"
