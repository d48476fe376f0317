import tempfile

from cog import BaseModel, Input, Path


class TrainingOutput(BaseModel):
    weights: Path


def train(
    train_data: Path = Input(description="A text file of training data"),
    learning_rate: float = Input(description="Learning rate", default=1e-4, ge=0),
    seed: int = Input(description="Random seed", default=None),
) -> TrainingOutput:
    weights = Path(tempfile.mkdtemp()) / "weights.txt"
    weights.write_text(f"trained on {len(train_data.read_bytes())} bytes at lr={learning_rate}")
    return TrainingOutput(weights=weights)
