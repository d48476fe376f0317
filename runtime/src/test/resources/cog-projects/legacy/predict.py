import cog


class Predictor(cog.Predictor):
    def setup(self):
        self.suffix = "!"

    @cog.input("text", type=str, help="Text to transform")
    @cog.input("times", type=int, default=1, min=1, max=3, help="Repeat count")
    @cog.input("case", type=str, default="upper", options=["upper", "lower"], help="Letter case")
    def predict(self, text, times, case):
        out = (text.upper() if case == "upper" else text.lower()) * times
        return out + self.suffix
