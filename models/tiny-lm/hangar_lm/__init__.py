"""hangar_lm: Hangar's own small language model, its tokenizer, sampler and LoRA trainer.

The API the sampling and training services call:

    load_model(dir, device) -> (TransformerLM, Tokenizer, config.json)
    load_sampler(base_dir, adapter_dir=None, device="cpu") -> Sampler
    Sampler.sample(SampleRequest, on_token) / Sampler.sample_many([SampleRequest], on_token)
    TrainingSession.create(base_dir, LoraConfig, device)
        .forward / .forward_backward(data, loss_fn) / .optim_step(AdamParams)
        .save_state / .load_state / .save_for_sampler
    finetune.train_lora(base_dir, dataset.jsonl, steps, out, ...)
"""

from pathlib import Path
from typing import Optional, Union

import torch

from .checkpoint import load_model, save_model
from .lora import LoraConfig, load_adapter
from .model import ModelConfig, TransformerLM
from .sampling import SampledSequence, SampleRequest, SampleResponse, Sampler, SamplingParams
from .tokenizer import Tokenizer, train_tokenizer
from .training import AdamParams, Datum, ForwardBackwardOutput, TrainingSession

__all__ = ["AdamParams", "Datum", "ForwardBackwardOutput", "LoraConfig", "ModelConfig", "SampleRequest",
           "SampleResponse", "SampledSequence", "Sampler", "SamplingParams", "Tokenizer", "TrainingSession",
           "TransformerLM", "load_model", "load_sampler", "save_model", "train_tokenizer"]


def load_sampler(base_dir: Union[str, Path], adapter_dir: Optional[Union[str, Path]] = None,
                 device: Union[str, torch.device] = "cpu", merge: bool = True) -> Sampler:
    """A Sampler over a base model, plus a LoRA adapter saved by save_for_sampler if given
    (merged into the weights by default, so it costs nothing per token)."""
    model, tokenizer, _ = load_model(base_dir, device)
    if adapter_dir is not None:
        load_adapter(model, adapter_dir, merge=merge)
        model.eval()
    return Sampler(model, tokenizer)
