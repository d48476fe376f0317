"""Saving and loading models as Hangar writes them: a folder with

    config.json      {"format": "hangar-lm/1", "model": {ModelConfig}, "name": ..., ...}
    model.pt         a state dict of tensors (torch.save), read back with weights_only=True
    tokenizer.model  the SentencePiece model the ids belong to

No pickled classes: `torch.load(weights_only=True)` refuses anything but tensors and plain
containers, so a checkpoint from elsewhere cannot run code. A bigger model in the same format
(another ModelConfig) loads with the same code.
"""

import json
from pathlib import Path
from typing import Optional, Tuple, Union

import torch

from .model import ModelConfig, TransformerLM
from .tokenizer import Tokenizer

FORMAT = "hangar-lm/1"
CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE = "config.json", "model.pt", "tokenizer.model"


def write_json(path: Path, data: dict) -> None:
    """Writes JSON canonically (sorted keys), atomically: a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def save_tensors(path: Path, tensors: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp)
    tmp.replace(path)


def load_tensors(path: Path, device: Union[str, torch.device] = "cpu") -> dict:
    return torch.load(path, map_location=device, weights_only=True)


def save_model(directory: Union[str, Path], model: TransformerLM, tokenizer: Tokenizer,
               **metadata) -> Path:
    """Saves the base weights (a tied unembedding is stored once), config and tokenizer."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = model.state_dict()
    if model.config.tie_embeddings:
        state.pop("lm_head.weight", None)
    save_tensors(directory / WEIGHTS_FILE, state)
    tokenizer.save(directory / TOKENIZER_FILE)
    write_json(directory / CONFIG_FILE, {"format": FORMAT, "model": model.config.to_dict(), **metadata})
    return directory


def read_config(directory: Union[str, Path]) -> dict:
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: not a hangar-lm model folder")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: format is {data.get('format')!r}, expected {FORMAT!r}")
    return data


def load_model(directory: Union[str, Path], device: Union[str, torch.device] = "cpu",
               dtype: Optional[torch.dtype] = None) -> Tuple[TransformerLM, Tokenizer, dict]:
    """Loads a saved model onto `device` in eval mode; returns (model, tokenizer, config.json)."""
    directory = Path(directory)
    meta = read_config(directory)
    config = ModelConfig.from_dict(meta["model"])
    tokenizer = Tokenizer.load(directory / TOKENIZER_FILE)
    if tokenizer.vocab_size != config.vocab_size:
        raise ValueError(f"tokenizer has {tokenizer.vocab_size} pieces, model expects {config.vocab_size}")
    model = TransformerLM(config)
    state = load_tensors(directory / WEIGHTS_FILE)
    if config.tie_embeddings:
        state["lm_head.weight"] = state["embed.weight"]
    model.load_state_dict(state, strict=True)
    if config.tie_embeddings:  # load_state_dict copies into the shared tensor; keep it shared
        model.lm_head.weight = model.embed.weight
    model.to(device=device, dtype=dtype)
    model.eval()
    return model, tokenizer, meta
