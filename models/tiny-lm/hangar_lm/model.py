"""A decoder-only transformer: pre-norm blocks, causal self-attention with rotary positions, a
GELU MLP, and an unembedding tied to the token embedding (or not, per config).

Positions are passed in explicitly, so a left-padded batch gives every sequence the positions it
would have alone; the attention mask says which keys are real tokens. A `KVCache` turns
generation into one new token per step. Nothing here assumes a device: tensors follow the
model's parameters, so the same code runs on CPU or CUDA.
"""

import math
from dataclasses import asdict, dataclass, fields
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class ModelConfig:
    """The shape of a model. Saved as JSON next to the weights; unknown keys are refused."""

    vocab_size: int = 1024
    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 384
    max_seq_len: int = 256
    tie_embeddings: bool = True
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5

    def __post_init__(self):
        if self.d_model % self.n_heads or (self.d_model // self.n_heads) % 2:
            raise ValueError(f"d_model {self.d_model} must split into {self.n_heads} heads of even size")
        for name in ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff", "max_seq_len"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")

    @classmethod
    def tiny(cls, vocab_size: int = 1024) -> "ModelConfig":
        """A model small enough for unit tests: a few thousand steps a second on one core."""
        return cls(vocab_size=vocab_size, d_model=32, n_layers=2, n_heads=2, d_ff=64, max_seq_len=64)

    @classmethod
    def default(cls, vocab_size: int = 1024) -> "ModelConfig":
        """The base model Hangar trains on the fortunes corpus (~0.8 M parameters: sized for ~10 min on 2 busy CPU cores)."""
        return cls(vocab_size=vocab_size)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(**data)


class KVCache:
    """Per-layer keys and values seen so far, shape [batch, heads, time, head_dim]."""

    def __init__(self, n_layers: int):
        self.layers: List[Optional[Tuple[torch.Tensor, torch.Tensor]]] = [None] * n_layers

    @property
    def length(self) -> int:
        return 0 if self.layers[0] is None else self.layers[0][0].shape[2]

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        past = self.layers[layer]
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        self.layers[layer] = (k, v)
        return k, v


def rotary(x: torch.Tensor, positions: torch.Tensor, theta: float) -> torch.Tensor:
    """Rotates pairs of channels of x [B, H, T, D] by angles that grow with the position [B, T]."""
    half = x.shape[-1] // 2
    freqs = theta ** (-torch.arange(half, device=x.device, dtype=torch.float32) / half)
    angles = positions.to(torch.float32)[:, None, :, None] * freqs  # [B, 1, T, half]
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Attention(nn.Module):
    """Causal multi-head self-attention; q, k, v and o are separate Linears so LoRA can pick them."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        d = config.d_model
        self.n_heads, self.head_dim, self.theta = config.n_heads, d // config.n_heads, config.rope_theta
        self.q_proj, self.k_proj = nn.Linear(d, d, bias=False), nn.Linear(d, d, bias=False)
        self.v_proj, self.o_proj = nn.Linear(d, d, bias=False), nn.Linear(d, d, bias=False)

    def forward(self, x, positions, mask, cache: Optional[KVCache], layer: int):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        q = rotary(split(self.q_proj(x)), positions, self.theta)
        k = rotary(split(self.k_proj(x)), positions, self.theta)
        v = split(self.v_proj(x))
        if cache is not None:
            k, v = cache.append(layer, k, v)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~mask[:, None, :, :], torch.finfo(scores.dtype).min)
        out = F.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, d))


class MLP(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.up_proj = nn.Linear(config.d_model, config.d_ff, bias=False)
        self.down_proj = nn.Linear(config.d_ff, config.d_model, bias=False)

    def forward(self, x):
        return self.down_proj(F.gelu(self.up_proj(x)))


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.attn_norm = nn.LayerNorm(config.d_model, eps=config.norm_eps)
        self.attn = Attention(config)
        self.mlp_norm = nn.LayerNorm(config.d_model, eps=config.norm_eps)
        self.mlp = MLP(config)

    def forward(self, x, positions, mask, cache, layer):
        x = x + self.attn(self.attn_norm(x), positions, mask, cache, layer)
        return x + self.mlp(self.mlp_norm(x))


class TransformerLM(nn.Module):
    """The language model. `forward` returns logits [B, T, vocab] for the given tokens."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.d_model)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.final_norm = nn.LayerNorm(config.d_model, eps=config.norm_eps)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.apply(self._init)
        if config.tie_embeddings:
            self.lm_head.weight = self.embed.weight
        for name, p in self.named_parameters():  # GPT-2's scaled init of residual outputs
            if name.endswith(("o_proj.weight", "down_proj.weight")):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * config.n_layers))

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)

    @property
    def device(self) -> torch.device:
        return self.embed.weight.device

    def forward(self, tokens: torch.Tensor, positions: Optional[torch.Tensor] = None,
                key_mask: Optional[torch.Tensor] = None, cache: Optional[KVCache] = None) -> torch.Tensor:
        """tokens [B, T]; positions [B, T] (default 0..T-1 after what the cache holds);
        key_mask [B, past+T], True where a key is a real token (default all real)."""
        b, t = tokens.shape
        past = cache.length if cache is not None else 0
        if positions is None:
            positions = torch.arange(past, past + t, device=tokens.device).expand(b, t)
        if key_mask is None:
            key_mask = torch.ones(b, past + t, dtype=torch.bool, device=tokens.device)
        if key_mask.shape != (b, past + t):
            raise ValueError(f"key_mask must be [{b}, {past + t}], got {list(key_mask.shape)}")
        causal = torch.ones(t, past + t, dtype=torch.bool, device=tokens.device).tril(diagonal=past)
        mask = causal[None, :, :] & key_mask[:, None, :]  # [B, T, past+T]
        x = self.embed(tokens)
        for i, block in enumerate(self.blocks):
            x = block(x, positions, mask, cache, i)
        return self.lm_head(self.final_norm(x))

    def new_cache(self) -> KVCache:
        return KVCache(self.config.n_layers)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in {id(p): p for p in self.parameters()}.values())
