from typing import Optional

from cog import BaseModel, BasePredictor, File, Input, Path


class Output(BaseModel):
    name: str
    size: int
    first_line: str
    notes_size: Optional[int]


class Predictor(BasePredictor):
    def predict(
        self,
        document: Path = Input(description="A text file"),
        notes: File = Input(description="Another file, as a file handle", default=None),
    ) -> Output:
        data = document.read_bytes()
        notes_size = len(notes.read()) if notes is not None else None
        first_line = data.decode("utf-8").splitlines()[0] if data else ""
        return Output(name=document.name, size=len(data), first_line=first_line, notes_size=notes_size)
