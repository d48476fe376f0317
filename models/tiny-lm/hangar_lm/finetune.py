"""The convenience loop: train a LoRA on a JSONL dataset for N steps.

Accepted lines (one JSON object each; blank lines are skipped):

    {"prompt": "...", "completion": "..."}   loss on the completion tokens only (weights 0 on the prompt)
    {"text": "..."}                          loss on every token

The sequence is BOS + prompt + completion + EOS (EOS is trained, so the model learns to stop).
Any other shape — not an object, another key, a non-string or empty value, invalid JSON — is a
DatasetError naming the file and line. Lines too long for the model's context are refused too.

`python3 -m hangar_lm.finetune --base DIR --data FILE.jsonl --steps N --out DIR` prints the
loss per step, saves sampler checkpoints, and ends with the held-out comparison of
`evaluate` (see there for how it is measured).
"""

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple, Union

import torch

from .checkpoint import write_json
from .lora import LoraConfig, load_adapter_state
from .lora import _read as read_adapter
from .model import TransformerLM
from .tokenizer import Tokenizer
from .training import AdamParams, Datum, TrainingSession, target_logprobs

StepCallback = Callable[[int, float], None]


class DatasetError(ValueError):
    """A dataset line that is not one of the accepted shapes; the message names file and line."""


@dataclass
class Example:
    prompt: str
    completion: str  # for {"text"} lines the prompt is "" and the completion is the text


def parse_line(line: str, where: str) -> Optional[Example]:
    """One JSONL line; None for a blank one."""
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise DatasetError(f"{where}: not valid JSON ({e.msg})") from None
    return parse_object(obj, where)


def parse_object(obj, where: str) -> Example:
    """One example given as a decoded JSON value (a JSONL line, or an item of an inline list)."""
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    keys = set(obj)
    if keys == {"prompt", "completion"}:
        fields = ("prompt", "completion")
    elif keys == {"text"}:
        fields = ("text",)
    else:
        raise DatasetError(f"{where}: expected keys {{prompt, completion}} or {{text}}, got {sorted(keys)}")
    for key in fields:
        if not isinstance(obj[key], str):
            raise DatasetError(f"{where}: {key!r} must be a string, got {type(obj[key]).__name__}")
    if fields == ("text",):
        if not obj["text"].strip():
            raise DatasetError(f"{where}: 'text' is empty")
        return Example("", obj["text"])
    if not obj["completion"].strip():
        raise DatasetError(f"{where}: 'completion' is empty")
    return Example(obj["prompt"], obj["completion"])


def read_jsonl(path: Union[str, Path]) -> List[Example]:
    path = Path(path)
    examples = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            example = parse_line(line, f"{path}:{number}")
            if example is not None:
                examples.append(example)
    if not examples:
        raise DatasetError(f"{path}: holds no examples")
    return examples


def to_datum(example: Example, tokenizer: Tokenizer, max_len: int, where: str = "example") -> Datum:
    """BOS + prompt + completion + EOS, shifted by one; weight 1 on completion (and EOS) targets."""
    prompt = [tokenizer.bos_id] + (tokenizer.encode(example.prompt) if example.prompt else [])
    completion = tokenizer.encode(example.completion) + [tokenizer.eos_id]
    full = prompt + completion
    if len(full) - 1 > max_len:
        raise DatasetError(f"{where}: {len(full)} tokens, longer than the model's context of {max_len + 1}")
    weights = [0.0] * (len(prompt) - 1) + [1.0] * len(completion)
    return Datum(full[:-1], {"target_tokens": full[1:], "weights": weights})


def to_data(examples: Sequence[Example], tokenizer: Tokenizer, max_len: int, source: str = "dataset") -> List[Datum]:
    return [to_datum(e, tokenizer, max_len, f"{source} example {i + 1}") for i, e in enumerate(examples)]


@torch.no_grad()
def mean_logprob(model: TransformerLM, data: Sequence[Datum], batch_size: int = 16) -> float:
    """Mean log-probability per weighted target token (completion tokens and EOS)."""
    model.eval()
    total, count = 0.0, 0.0
    for i in range(0, len(data), batch_size):
        chunk = data[i:i + batch_size]
        for lp, d in zip(target_logprobs(model, chunk), chunk):
            w = torch.tensor(d.loss_fn_inputs["weights"], device=lp.device)
            total += float((lp * w).sum())
            count += float(w.sum())
    return total / count


def split(examples: List[Example], holdout: float, seed: int) -> Tuple[List[Example], List[Example]]:
    shuffled = examples[:]
    random.Random(seed).shuffle(shuffled)
    held = max(1, int(len(shuffled) * holdout)) if len(shuffled) > 1 else 0
    return shuffled[held:], shuffled[:held]


def train_lora(base_dir: Union[str, Path], dataset: Union[str, Path, Sequence[Example]], steps: int, out: Union[str, Path],
               lora: LoraConfig = LoraConfig(rank=8, seed=0), adam: AdamParams = AdamParams(learning_rate=2e-3),
               batch_size: int = 8, holdout: float = 0.1, seed: int = 0, checkpoint_every: int = 0,
               device: Union[str, torch.device] = "cpu", on_step: Optional[StepCallback] = None,
               init_adapter: Optional[Union[str, Path]] = None) -> dict:
    """Trains on a JSONL file (or a list of Examples); returns {"losses", "checkpoints", "eval"}.
    Saves sampler checkpoints `out/sampler_weights/step-N` every checkpoint_every steps (0 = only the last) and `out/weights/final` (adapter + optimizer
    state, for load_state), the layout of Hangar's `hangar://RUN/{sampler_weights,weights}/ID` paths.
    The loss reported per step is the mean per weighted token of that step's batch.
    init_adapter (a sampler checkpoint: folder or packed file) starts from its weights instead of a
    fresh adapter; `lora` must then be its configuration (see adapter_lora). steps 0 trains
    nothing and saves the starting adapter as `step-0` (no dataset needed: Hangar's
    `checkpoint save`)."""
    if steps < 0:
        raise ValueError("steps must be >= 0")
    session = TrainingSession.create(base_dir, lora, device)
    if init_adapter is not None:
        load_adapter_state(session.model, read_adapter(Path(init_adapter), session.model.device)[1])
    if steps == 0:
        out = Path(out)
        checkpoint = str(session.save_for_sampler(out / "sampler_weights" / "step-0"))
        session.save_state(out / "weights" / "final")
        result = {"losses": [], "checkpoints": [checkpoint], "train_examples": 0,
                  "eval": {"held_out_examples": 0, "base_mean_logprob": None, "tuned_mean_logprob": None}}
        write_json(out / "result.json", result)
        return result
    max_len = session.model.config.max_seq_len
    examples = list(dataset) if isinstance(dataset, (list, tuple)) else read_jsonl(dataset)
    source = "examples" if isinstance(dataset, (list, tuple)) else str(dataset)
    train_examples, held_examples = split(examples, holdout, seed)
    train_data = to_data(train_examples, session.tokenizer, max_len, source)
    held_data = to_data(held_examples, session.tokenizer, max_len, source)
    base_logprob = mean_logprob(session.model, held_data) if held_data else None  # zero-init adapter = base
    rng = random.Random(seed)
    out = Path(out)
    losses, checkpoints = [], []
    for step in range(1, steps + 1):
        batch = rng.sample(train_data, min(batch_size, len(train_data)))
        weight = sum(sum(d.loss_fn_inputs["weights"]) for d in batch)
        scaled = [Datum(d.model_input, {"target_tokens": d.loss_fn_inputs["target_tokens"],
                                        "weights": [w / weight for w in d.loss_fn_inputs["weights"]]}) for d in batch]
        loss = session.forward_backward(scaled, "cross_entropy").loss
        session.optim_step(adam)
        losses.append(loss)
        if on_step is not None:
            on_step(step, loss)
        if (checkpoint_every and step % checkpoint_every == 0) or step == steps:
            checkpoints.append(str(session.save_for_sampler(out / "sampler_weights" / f"step-{step}")))
    session.save_state(out / "weights" / "final")
    tuned_logprob = mean_logprob(session.model, held_data) if held_data else None
    result = {"losses": losses, "checkpoints": checkpoints, "train_examples": len(train_data),
              "eval": {"held_out_examples": len(held_data), "base_mean_logprob": base_logprob,
                       "tuned_mean_logprob": tuned_logprob}}
    write_json(out / "result.json", result)
    return result


def adapter_lora(source: Union[str, Path]) -> LoraConfig:
    """The LoRA configuration a saved sampler checkpoint (folder or packed file) was trained with."""
    return LoraConfig.from_dict(read_adapter(Path(source), "cpu")[0]["lora"])


def main(argv=None):
    p = argparse.ArgumentParser(description="Train a LoRA adapter on a JSONL dataset.")
    p.add_argument("--base", type=Path, required=True, help="base model folder")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--checkpoint-every", type=int, default=0)
    p.add_argument("--no-mlp", action="store_true")
    p.add_argument("--no-attn", action="store_true")
    p.add_argument("--no-unembed", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    lora = LoraConfig(rank=args.rank, seed=0, train_mlp=not args.no_mlp, train_attn=not args.no_attn,
                      train_unembed=not args.no_unembed)
    result = train_lora(args.base, args.data, args.steps, args.out, lora, AdamParams(learning_rate=args.lr),
                        args.batch_size, checkpoint_every=args.checkpoint_every, device=args.device,
                        on_step=lambda s, l: print(f"step {s}/{args.steps} loss {l:.4f}", flush=True))
    print(json.dumps(result["eval"]))


if __name__ == "__main__":
    main()
