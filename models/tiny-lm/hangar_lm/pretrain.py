"""Trains the base model on the fortunes corpus: `python3 -m hangar_lm.pretrain --out DIR`.

Every fortune becomes BOS + text + EOS; the documents are joined into one token stream and the
model learns next-token prediction on random windows of it (AdamW, linear warm-up then cosine
decay, gradient clipping). 2% of the documents are held out for a validation loss. Writes into
--out: the model folder (see checkpoint.py) at the end and every --save-every steps, and
`loss.csv` (step, learning rate, train loss, validation loss when measured, elapsed seconds).
"""

import argparse
import csv
import math
import random
import time
from pathlib import Path
from typing import List, Optional

import torch
import torch.nn.functional as F

from .checkpoint import save_model, write_json
from .corpus import FORTUNES_DIR, iter_fortunes
from .model import ModelConfig, TransformerLM
from .tokenizer import Tokenizer, train_tokenizer


def token_stream(docs: List[str], tokenizer: Tokenizer) -> torch.Tensor:
    ids: List[int] = []
    for doc in docs:
        ids.extend(tokenizer.encode(doc, bos=True, eos=True))
    return torch.tensor(ids, dtype=torch.long)


def batch(stream: torch.Tensor, size: int, length: int, generator: torch.Generator, device) -> torch.Tensor:
    starts = torch.randint(0, len(stream) - length - 1, (size,), generator=generator)
    return torch.stack([stream[s:s + length + 1] for s in starts.tolist()]).to(device)


def lm_loss(model: TransformerLM, windows: torch.Tensor) -> torch.Tensor:
    logits = model(windows[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1))


def learning_rate(step: int, total: int, peak: float, warmup: int, floor: float = 0.1) -> float:
    """Linear warm-up to `peak`, then cosine decay to floor * peak at the last step."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def validation_loss(model, stream, batch_size, length, device, batches: int = 4) -> float:
    model.eval()
    g = torch.Generator().manual_seed(1234)  # the same windows every time: comparable numbers
    losses = [lm_loss(model, batch(stream, batch_size, length, g, device)).item() for _ in range(batches)]
    model.train()
    return sum(losses) / len(losses)


def train(out: Path, config: ModelConfig, tokenizer: Tokenizer, docs: List[str], steps: int,
          batch_size: int, seq_len: int, lr: float, warmup: int, weight_decay: float,
          grad_clip: float, seed: int, device: str, save_every: int, eval_every: int,
          max_minutes: Optional[float] = None, log=print) -> dict:
    if seq_len > config.max_seq_len:
        raise ValueError(f"--seq-len {seq_len} exceeds the model's max_seq_len {config.max_seq_len}")
    torch.manual_seed(seed)
    shuffled = docs[:]
    random.Random(seed).shuffle(shuffled)
    held = max(1, len(shuffled) // 50)
    train_stream, val_stream = token_stream(shuffled[held:], tokenizer), token_stream(shuffled[:held], tokenizer)
    model = TransformerLM(config).to(device)
    model.train()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    g = torch.Generator().manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(name="hangar/tiny-lm", corpus=str(FORTUNES_DIR), train_tokens=len(train_stream),
                val_tokens=len(val_stream), batch_size=batch_size, seq_len=seq_len, peak_lr=lr, seed=seed)
    log(f"{model.num_parameters():,} parameters; {len(train_stream):,} train / {len(val_stream):,} val tokens")
    started, step = time.monotonic(), 0
    with open(out / "loss.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "lr", "train_loss", "val_loss", "elapsed_s"])
        for step in range(1, steps + 1):
            current_lr = learning_rate(step - 1, steps, lr, warmup)
            for group in opt.param_groups:
                group["lr"] = current_lr
            loss = lm_loss(model, batch(train_stream, batch_size, seq_len, g, device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            opt.step()
            val = validation_loss(model, val_stream, batch_size, seq_len, device) \
                if step % eval_every == 0 or step == steps else None
            elapsed = time.monotonic() - started
            writer.writerow([step, f"{current_lr:.6g}", f"{loss.item():.4f}", "" if val is None else f"{val:.4f}", f"{elapsed:.1f}"])
            f.flush()
            log(f"step {step}/{steps} lr {current_lr:.2e} loss {loss.item():.4f}" + ("" if val is None else f" val {val:.4f}"))
            if step % save_every == 0:
                save_model(out / "model", model, tokenizer, **meta, steps=step)
            if max_minutes is not None and elapsed > max_minutes * 60:
                log(f"stopping at step {step}: the {max_minutes} min budget is spent")
                break
    final_val = validation_loss(model, val_stream, batch_size, seq_len, device)
    summary = dict(meta, steps=step, seconds=round(time.monotonic() - started, 1), final_val_loss=round(final_val, 4),
                   parameters=model.num_parameters(), model=config.to_dict())
    save_model(out / "model", model, tokenizer, **meta, steps=step, final_val_loss=round(final_val, 4))
    write_json(out / "summary.json", summary)
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--config", choices=["default", "tiny"], default="default")
    p.add_argument("--tokenizer", type=Path, help="an existing tokenizer.model (else one is trained)")
    p.add_argument("--vocab-size", type=int, default=1024)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--seq-len", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--eval-every", type=int, default=25)
    p.add_argument("--max-minutes", type=float, help="stop early (and save) after this long")
    p.add_argument("--max-docs", type=int, help="use only the first N fortunes (for quick tries)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    docs = list(iter_fortunes())[:args.max_docs]
    tokenizer = Tokenizer.load(args.tokenizer) if args.tokenizer else train_tokenizer(docs, args.vocab_size)
    config = (ModelConfig.tiny if args.config == "tiny" else ModelConfig.default)(tokenizer.vocab_size)
    summary = train(args.out, config, tokenizer, docs, args.steps, args.batch_size, args.seq_len, args.lr,
                    args.warmup, args.weight_decay, args.grad_clip, args.seed, args.device,
                    args.save_every, args.eval_every, args.max_minutes)
    print(summary)


if __name__ == "__main__":
    main()
