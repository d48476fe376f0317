"""A LoRA training session with Tinker's semantics: the caller drives the loop.

    session = TrainingSession.create(base_dir, LoraConfig(rank=8, seed=0), device="cpu")
    out = session.forward_backward(data, "cross_entropy")   # accumulates gradients
    session.optim_step(AdamParams(learning_rate=1e-3))     # applies and clears them
    session.save_state(dir) / session.load_state(dir)      # weights + optimizer (save/load_weights)
    session.save_for_sampler(dir)                          # adapter only; the sampler adds it to its base

Data are Tinker `Datum`s: `model_input` tokens and `loss_fn_inputs` arrays of the same length,
aligned so position i of model_input predicts target_tokens[i]. Losses, as Tinker defines them:

    cross_entropy:        loss = sum_i -weights[i] * logp(target_tokens[i])
    importance_sampling:  loss = -sum_i exp(logp(target_tokens[i]) - logprobs[i]) * advantages[i]

summed over tokens and data (not averaged: scale weights to average). Both return per-datum
`logprobs` and `elementwise_loss` in `loss_fn_outputs`, like Tinker's ForwardBackwardOutput.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Union

import torch
import torch.nn.functional as F

from .checkpoint import load_model, load_tensors, save_tensors, write_json
from .lora import (ADAPTER_WEIGHTS_FILE, LoraConfig, apply_lora, load_adapter_state, read_adapter_config,
                   save_adapter)
from .model import TransformerLM
from .tokenizer import Tokenizer

STATE_FORMAT = "hangar-lm-train-state/1"
LOSS_INPUTS = {
    "cross_entropy": ("target_tokens", "weights"),
    "importance_sampling": ("target_tokens", "logprobs", "advantages"),
}


@dataclass
class Datum:
    """Tinker's Datum: model_input tokens plus loss_fn_inputs arrays of the same length."""

    model_input: List[int]
    loss_fn_inputs: Dict[str, List[float]]

    @classmethod
    def from_dict(cls, data: dict) -> "Datum":
        """Plain lists, or Tinker's wire shapes: model_input {"chunks": [{"type": "encoded_text",
        "tokens": [...]}, ...]} and loss_fn_inputs values as TensorData {"data", "dtype", "shape"}."""
        model_input = data["model_input"]
        if isinstance(model_input, dict):
            chunks = model_input.get("chunks")
            if not isinstance(chunks, list) or any(c.get("type", "encoded_text") != "encoded_text" for c in chunks):
                raise ValueError("model_input chunks must all be encoded_text (this model reads no images)")
            model_input = [t for c in chunks for t in c["tokens"]]
        inputs = {k: (v["data"] if isinstance(v, dict) else v) for k, v in data["loss_fn_inputs"].items()}
        return cls(list(model_input), {k: list(v) for k, v in inputs.items()})


@dataclass
class AdamParams:
    """Tinker's AdamParams and defaults (decoupled weight decay, as AdamW)."""

    learning_rate: float = 1e-4
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-12
    weight_decay: float = 0.0
    grad_clip_norm: float = 0.0  # 0 = no clipping

    def validate(self) -> None:
        if not self.learning_rate >= 0:
            raise ValueError("learning_rate must be >= 0")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError("beta1 and beta2 must be in [0, 1)")
        if not self.eps > 0 or self.weight_decay < 0 or self.grad_clip_norm < 0:
            raise ValueError("eps must be > 0; weight_decay and grad_clip_norm >= 0")


@dataclass
class ForwardBackwardOutput:
    loss: float
    loss_fn_outputs: List[Dict[str, List[float]]]
    metrics: Dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def validate_data(data: Sequence[Datum], loss_fn: str, vocab_size: int, max_len: int) -> None:
    if loss_fn not in LOSS_INPUTS:
        raise ValueError(f"unknown loss_fn {loss_fn!r}: expected one of {sorted(LOSS_INPUTS)}")
    if not data:
        raise ValueError("data must hold at least one Datum")
    for i, d in enumerate(data):
        n = len(d.model_input)
        if n < 1 or n > max_len:
            raise ValueError(f"datum {i}: model_input must hold 1..{max_len} tokens, has {n}")
        if any(not isinstance(t, int) or not 0 <= t < vocab_size for t in d.model_input):
            raise ValueError(f"datum {i}: model_input token ids must be integers in [0, {vocab_size})")
        for key in LOSS_INPUTS[loss_fn]:
            if key not in d.loss_fn_inputs:
                raise ValueError(f"datum {i}: loss_fn_inputs lacks {key!r} (needed by {loss_fn})")
            if len(d.loss_fn_inputs[key]) != n:
                raise ValueError(f"datum {i}: loss_fn_inputs[{key!r}] has {len(d.loss_fn_inputs[key])} "
                                 f"values, model_input has {n}")
        if any(not isinstance(t, int) or not 0 <= t < vocab_size for t in d.loss_fn_inputs["target_tokens"]):
            raise ValueError(f"datum {i}: target_tokens must be integers in [0, {vocab_size})")


def target_logprobs(model: TransformerLM, data: Sequence[Datum]) -> List[torch.Tensor]:
    """logp(target_tokens[i] | model_input[:i+1]) for every datum, in one right-padded batch."""
    device = model.device
    width = max(len(d.model_input) for d in data)
    tokens = torch.zeros((len(data), width), dtype=torch.long, device=device)
    targets = torch.zeros_like(tokens)
    mask = torch.zeros((len(data), width), dtype=torch.bool, device=device)
    for i, d in enumerate(data):
        n = len(d.model_input)
        tokens[i, :n] = torch.tensor(d.model_input, device=device)
        targets[i, :n] = torch.tensor(d.loss_fn_inputs["target_tokens"], device=device)
        mask[i, :n] = True
    logits = model(tokens, key_mask=mask)  # right padding: real tokens never attend to pads
    logp = F.log_softmax(logits.float(), dim=-1).gather(-1, targets[..., None])[..., 0]
    return [logp[i, :len(d.model_input)] for i, d in enumerate(data)]


def elementwise_loss(loss_fn: str, logp: torch.Tensor, inputs: Dict[str, List[float]]) -> torch.Tensor:
    as_tensor = lambda key: torch.tensor(inputs[key], dtype=torch.float32, device=logp.device)
    if loss_fn == "cross_entropy":
        return -logp * as_tensor("weights")
    ratio = torch.exp(logp - as_tensor("logprobs"))
    return -ratio * as_tensor("advantages")


class TrainingSession:
    """A base model with LoRA adapters and their AdamW optimizer state, for one user's loop."""

    def __init__(self, model: TransformerLM, tokenizer: Tokenizer, lora: LoraConfig, base_meta: dict):
        self.model, self.tokenizer, self.lora, self.base_meta = model, tokenizer, lora, base_meta
        self.params = apply_lora(model, lora)
        self.optimizer = torch.optim.AdamW(self.params, lr=1e-4)
        self.steps = 0
        self.pending_backward = 0

    @classmethod
    def create(cls, base_dir: Union[str, Path], lora: LoraConfig, device: Union[str, torch.device] = "cpu"):
        model, tokenizer, meta = load_model(base_dir, device)
        return cls(model, tokenizer, lora, meta)

    def _check(self, data, loss_fn):
        validate_data(data, loss_fn, self.model.config.vocab_size, self.model.config.max_seq_len)

    @torch.no_grad()
    def forward(self, data: Sequence[Datum], loss_fn: str = "cross_entropy") -> ForwardBackwardOutput:
        """Loss and per-token logprobs without gradients (Tinker's `forward`)."""
        self._check(data, loss_fn)
        self.model.eval()
        return self._outputs(data, loss_fn, target_logprobs(self.model, data))[0]

    def forward_backward(self, data: Sequence[Datum], loss_fn: str = "cross_entropy") -> ForwardBackwardOutput:
        """Computes the loss and adds its gradients to the adapters' (until optim_step)."""
        self._check(data, loss_fn)
        self.model.train()
        output, total = self._outputs(data, loss_fn, target_logprobs(self.model, data))
        total.backward()
        self.pending_backward += 1
        return output

    def _outputs(self, data, loss_fn, logps):
        losses = [elementwise_loss(loss_fn, lp, d.loss_fn_inputs) for lp, d in zip(logps, data)]
        total = torch.stack([l.sum() for l in losses]).sum()
        outputs = [{"logprobs": lp.detach().cpu().tolist(), "elementwise_loss": l.detach().cpu().tolist()}
                   for lp, l in zip(logps, losses)]
        tokens = sum(len(d.model_input) for d in data)
        return ForwardBackwardOutput(float(total), outputs, {"loss:sum": float(total), "tokens": float(tokens)}), total

    def optim_step(self, adam: AdamParams = AdamParams()) -> Dict[str, float]:
        """One AdamW step with these hyper-parameters on the accumulated gradients, then zeroes them."""
        adam.validate()
        for group in self.optimizer.param_groups:
            group.update(lr=adam.learning_rate, betas=(adam.beta1, adam.beta2), eps=adam.eps,
                         weight_decay=adam.weight_decay)
        grad_norm = torch.nn.utils.clip_grad_norm_(
            self.params, adam.grad_clip_norm if adam.grad_clip_norm > 0 else float("inf"))
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.steps += 1
        self.pending_backward = 0
        return {"grad_norm": float(grad_norm), "step": float(self.steps)}

    def save_for_sampler(self, directory: Union[str, Path]) -> Path:
        """The adapter alone (a few hundred KB); a sampler loads its base model and adds it."""
        return save_adapter(directory, self.model, base_model=self.base_meta.get("name"), steps=self.steps)

    def save_state(self, directory: Union[str, Path]) -> Path:
        """Adapter weights and optimizer state, to resume training exactly (Tinker's save_weights).
        The optimizer's tensors go to optimizer.pt (tensors only, like every file here), its
        hyper-parameters to train_state.json."""
        directory = Path(directory)
        save_adapter(directory, self.model, base_model=self.base_meta.get("name"), steps=self.steps)
        state = self.optimizer.state_dict()
        tensors = {f"{index}.{key}": value for index, entry in state["state"].items() for key, value in entry.items()}
        save_tensors(directory / "optimizer.pt", tensors)
        write_json(directory / "train_state.json", {"format": STATE_FORMAT, "steps": self.steps,
                                                    "param_groups": state["param_groups"]})
        return directory

    def load_state(self, directory: Union[str, Path], optimizer: bool = True) -> None:
        """Loads what save_state wrote (Tinker's load_weights; optimizer=False for weights only)."""
        directory = Path(directory)
        meta = read_adapter_config(directory)
        self.require_fits(meta)
        if optimizer and not ((directory / "optimizer.pt").is_file() and (directory / "train_state.json").is_file()):
            raise ValueError(f"{directory}: holds no optimizer state (optimizer.pt, train_state.json); "
                             "load it with optimizer=false for the adapter weights alone")
        load_adapter_state(self.model, load_tensors(directory / ADAPTER_WEIGHTS_FILE, self.model.device))
        if optimizer:
            meta = json.loads((directory / "train_state.json").read_text(encoding="utf-8"))
            if meta.get("format") != STATE_FORMAT:
                raise ValueError(f"{directory}: not a {STATE_FORMAT} folder")
            state: Dict[int, dict] = {}
            for name, value in load_tensors(directory / "optimizer.pt", self.model.device).items():
                index, key = name.split(".", 1)
                state.setdefault(int(index), {})[key] = value
            self.optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
            self.steps = meta["steps"]

    def require_fits(self, meta: dict) -> None:
        """Refuses saved weights of another base model or another adapter shape (rank, alpha, which
        modules). The seed only draws a fresh adapter's A, which loading replaces, so it may differ."""
        saved_base, base = meta.get("base_model"), self.base_meta.get("name")
        if saved_base and base and saved_base != base:
            raise ValueError(f"the saved weights were trained on base model {saved_base}, this session's is {base}; "
                             f"load them into a session of {saved_base}")
        saved = LoraConfig.from_dict(meta["lora"])
        shape = lambda c: (c.rank, c.alpha, c.train_mlp, c.train_attn, c.train_unembed)
        if shape(saved) != shape(self.lora):
            raise ValueError(f"the saved LoRA adapter (rank {saved.rank}, alpha {saved.alpha}, train_mlp {saved.train_mlp}, "
                             f"train_attn {saved.train_attn}, train_unembed {saved.train_unembed}) does not fit this session's "
                             f"(rank {self.lora.rank}, alpha {self.lora.alpha}, train_mlp {self.lora.train_mlp}, train_attn "
                             f"{self.lora.train_attn}, train_unembed {self.lora.train_unembed}); create the session with the "
                             "checkpoint's LoRA config (weights_info)")
