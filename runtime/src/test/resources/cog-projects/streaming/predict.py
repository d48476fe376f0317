from cog import BasePredictor, ConcatenateIterator, Input, streaming


class Predictor(BasePredictor):
    @streaming
    def predict(
        self,
        prompt: str = Input(description="Words to stream back one by one"),
    ) -> ConcatenateIterator[str]:
        for word in prompt.split():
            self.record_metric("token_count", 1, mode="incr")
            yield word + " "
