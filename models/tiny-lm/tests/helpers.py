"""Shared fixtures: the committed tokenizer and tiny, randomly initialised models."""

import tempfile
from pathlib import Path

import torch

torch.set_num_threads(1)  # the test machine is shared; tiny models gain nothing from more

from hangar_lm import ModelConfig, Sampler, Tokenizer, TransformerLM, save_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOKENIZER = ROOT / "assets" / "tokenizer.model"


def tokenizer() -> Tokenizer:
    return Tokenizer.load(TOKENIZER)


def tiny_model(seed: int = 0, **overrides) -> TransformerLM:
    torch.manual_seed(seed)
    config = ModelConfig.tiny(tokenizer().vocab_size)
    if overrides:
        config = ModelConfig.from_dict({**config.to_dict(), **overrides})
    model = TransformerLM(config)
    model.eval()
    return model


def sharpened(model: TransformerLM, factor: float = 12.0) -> TransformerLM:
    """Scales the unembedding so the tiny random model has peaked, varied distributions."""
    with torch.no_grad():
        if model.config.tie_embeddings:
            model.lm_head.weight = torch.nn.Parameter(model.embed.weight.detach().clone())
        model.lm_head.weight.mul_(factor)
    return model


def tiny_sampler(seed: int = 0) -> Sampler:
    return Sampler(tiny_model(seed), tokenizer())


def saved_tiny_model(seed: int = 0) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="hangar-lm-test-"))
    save_model(directory, tiny_model(seed), tokenizer(), name="test/tiny")
    return directory
