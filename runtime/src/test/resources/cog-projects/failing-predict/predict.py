from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def predict(self, number: int = Input(description="Any number; odd ones fail")) -> int:
        if number % 2:
            raise ValueError(f"odd numbers are not supported: {number}")
        return number // 2
