from typing import Literal, Optional

from cog import BaseModel, BasePredictor, Input, Secret


class Output(BaseModel):
    text: str
    repeats: int
    loud: bool
    tags: list[str]


class Predictor(BasePredictor):
    def setup(self):
        self.greeting = "hello"

    def predict(
        self,
        prompt: str = Input(description="What to say", min_length=1, max_length=100),
        repeats: int = Input(description="How many times", default=1, ge=1, le=5),
        temperature: float = Input(description="Ignored; shows a float", default=0.5, ge=0.0, le=1.0),
        loud: bool = Input(description="Shout it", default=False),
        language: str = Input(description="Language", choices=["en", "fr"], default="en"),
        style: Literal["plain", "fancy"] = "plain",
        suffix: Optional[str] = Input(description="Appended when given", default=None),
        tags: list[str] = Input(description="Tags to echo", default=["a"]),
        code: str = Input(description="A code like ab-12", default="ab-12", regex=r"^[a-z]+-\d+$"),
        api_key: Secret = Input(description="Not printed", default=None),
    ) -> Output:
        words = {"en": self.greeting, "fr": "bonjour"}[language]
        text = " ".join([f"{words} {prompt}"] * repeats)
        if style == "fancy":
            text = f"~ {text} ~"
        if suffix:
            text += suffix
        if loud:
            text = text.upper()
        print(f"api key given: {api_key is not None}, printed as {api_key}")
        return Output(text=text, repeats=repeats, loud=loud, tags=tags)
