"""LoRA adapters (Hu et al., 2021) on a TransformerLM, selected by Tinker's LoraConfig flags.

Each chosen Linear W becomes W x + (alpha / rank) * B A x, with A [rank, in] drawn from a
generator seeded by `seed` and B [out, rank] zero, so a fresh adapter leaves the model's output
unchanged. Only A and B are trainable. `train_attn` adapts q, k, v and o of every layer,
`train_mlp` the up and down projections, `train_unembed` the unembedding (also when it is tied
to the embedding: the adapter changes the output side only).

Adapter folders (what the sampler loads on top of its base model):

    adapter_config.json  {"format": "hangar-lm-lora/1", "lora": {LoraConfig}, "base_model": ...}
    adapter.pt           a state dict holding only the lora_a / lora_b tensors

or the same packed into one file (pack_adapter), which is how a checkpoint travels to a sampling
run as a single attachment: torch.save of {"format": "hangar-lm-lora-file/1", "config": the
adapter_config.json text, "tensors": the state dict}, read back with weights_only=True.
"""

import dataclasses
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn

from .checkpoint import load_tensors, save_tensors, write_json
from .model import TransformerLM

ADAPTER_FORMAT = "hangar-lm-lora/1"
ADAPTER_FILE_FORMAT = "hangar-lm-lora-file/1"
ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE = "adapter_config.json", "adapter.pt"
ATTN_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP_MODULES = ("up_proj", "down_proj")


@dataclass(frozen=True)
class LoraConfig:
    """Tinker's LoraConfig (rank, seed, train_mlp, train_attn, train_unembed) plus alpha."""

    rank: int = 32
    seed: Optional[int] = None
    train_mlp: bool = True
    train_attn: bool = True
    train_unembed: bool = True
    alpha: float = 32.0

    def __post_init__(self):
        if not isinstance(self.rank, int) or self.rank < 1:
            raise ValueError("rank must be an integer >= 1")
        if not (self.train_mlp or self.train_attn or self.train_unembed):
            raise ValueError("at least one of train_mlp, train_attn, train_unembed must be true")
        if self.alpha <= 0:
            raise ValueError("alpha must be positive")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LoraConfig":
        return cls(**data)


class LoRALinear(nn.Module):
    """A frozen Linear plus a low-rank update."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, generator: torch.Generator):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        a = torch.empty(rank, base.in_features)
        bound = 1 / math.sqrt(base.in_features)  # nn.Linear's default (Kaiming-uniform, a=sqrt(5))
        a.uniform_(-bound, bound, generator=generator)
        device, dtype = base.weight.device, base.weight.dtype
        self.lora_a = nn.Parameter(a.to(device=device, dtype=dtype))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank, device=device, dtype=dtype))
        self.scale = alpha / rank

    @property
    def weight(self) -> torch.Tensor:
        return self.base.weight

    def forward(self, x):
        return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    def delta(self) -> torch.Tensor:
        return (self.lora_b @ self.lora_a) * self.scale


def target_modules(model: TransformerLM, config: LoraConfig) -> List[Tuple[nn.Module, str]]:
    """(parent, attribute) of every Linear the config adapts, in a fixed order."""
    targets = []
    for block in model.blocks:
        if config.train_attn:
            targets += [(block.attn, name) for name in ATTN_MODULES]
        if config.train_mlp:
            targets += [(block.mlp, name) for name in MLP_MODULES]
    if config.train_unembed:
        targets.append((model, "lm_head"))
    return targets


def apply_lora(model: TransformerLM, config: LoraConfig) -> List[nn.Parameter]:
    """Freezes the model and wraps the chosen Linears; returns the adapter parameters."""
    for p in model.parameters():
        p.requires_grad_(False)
    generator = torch.Generator().manual_seed(0 if config.seed is None else config.seed)
    params = []
    for parent, name in target_modules(model, config):
        current = getattr(parent, name)
        if isinstance(current, LoRALinear):
            raise ValueError("the model already has LoRA adapters")
        wrapped = LoRALinear(current, config.rank, config.alpha, generator)
        setattr(parent, name, wrapped)
        params += [wrapped.lora_a, wrapped.lora_b]
    model.lora_config = config
    return params


def adapter_state(model: TransformerLM) -> Dict[str, torch.Tensor]:
    return {k: v for k, v in model.state_dict().items() if k.endswith((".lora_a", ".lora_b"))}


def load_adapter_state(model: TransformerLM, state: Dict[str, torch.Tensor]) -> None:
    expected = set(adapter_state(model))
    if set(state) != expected:
        missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
        raise ValueError(f"adapter does not fit the model: missing {missing[:4]}, unexpected {extra[:4]}")
    model.load_state_dict(state, strict=False)


def save_adapter(directory: Union[str, Path], model: TransformerLM, **metadata) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    save_tensors(directory / ADAPTER_WEIGHTS_FILE, adapter_state(model))
    write_json(directory / ADAPTER_CONFIG_FILE,
               {"format": ADAPTER_FORMAT, "lora": model.lora_config.to_dict(), **metadata})
    return directory


def read_adapter_config(directory: Union[str, Path]) -> dict:
    path = Path(directory) / ADAPTER_CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: not a hangar-lm adapter folder")
    return _checked(json.loads(path.read_text(encoding="utf-8")), path)


def _checked(data: dict, where) -> dict:
    if data.get("format") != ADAPTER_FORMAT:
        raise ValueError(f"{where}: format is {data.get('format')!r}, expected {ADAPTER_FORMAT!r}")
    return data


def pack_adapter(directory: Union[str, Path], path: Union[str, Path]) -> Path:
    """Writes the adapter folder as one file (atomically), for a checkpoint that must travel as
    a single attachment."""
    directory, path = Path(directory), Path(path)
    read_adapter_config(directory)
    packed = {"format": ADAPTER_FILE_FORMAT,
              "config": (directory / ADAPTER_CONFIG_FILE).read_text(encoding="utf-8"),
              "tensors": load_tensors(directory / ADAPTER_WEIGHTS_FILE)}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(packed, tmp)
    tmp.replace(path)
    return path


def _read(source: Path, device) -> Tuple[dict, Dict[str, torch.Tensor]]:
    if source.is_dir():
        return read_adapter_config(source), load_tensors(source / ADAPTER_WEIGHTS_FILE, device)
    packed = load_tensors(source, device)
    if not isinstance(packed, dict) or packed.get("format") != ADAPTER_FILE_FORMAT:
        raise ValueError(f"{source}: not a hangar-lm adapter folder nor a file written by pack_adapter")
    return _checked(json.loads(packed["config"]), source), packed["tensors"]


def load_adapter(model: TransformerLM, source: Union[str, Path], merge: bool = False) -> dict:
    """Adds the saved adapter (a folder, or one file from pack_adapter) to a base model, in
    place. With merge=True the update is folded into the base weights (no extra cost per
    token; the model is then a plain model again)."""
    meta, state = _read(Path(source), model.device)
    apply_lora(model, LoraConfig.from_dict(meta["lora"]))
    load_adapter_state(model, state)
    if merge:
        merge_lora(model)
    return meta


@torch.no_grad()
def merge_lora(model: TransformerLM) -> None:
    """Replaces every LoRALinear by a plain Linear holding W + delta. A tied unembedding is
    untied first, so merging into lm_head leaves the embedding as it was."""
    config = model.lora_config
    for parent, name in target_modules(model, config):
        wrapped = getattr(parent, name)
        merged = nn.Linear(wrapped.base.in_features, wrapped.base.out_features, bias=False,
                           device=wrapped.base.weight.device, dtype=wrapped.base.weight.dtype)
        merged.weight.copy_(wrapped.base.weight + wrapped.delta())
        merged.weight.requires_grad_(False)
        setattr(parent, name, merged)
    if config.train_unembed and model.config.tie_embeddings:
        model.config = dataclasses.replace(model.config, tie_embeddings=False)
    del model.lora_config
