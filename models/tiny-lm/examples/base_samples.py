"""Samples of docs/base-model.md: `python3 examples/base_samples.py MODEL_DIR`. Seeds 0..n,
temperature 0.8, top_p 0.95, stop at EOS, at most 60 tokens; BOS + prompt."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hangar_lm import SampleRequest, SamplingParams, load_sampler  # noqa: E402

PROMPTS = ["", "A penny saved", "Q: What do you call", "The computer", "Love is", "Never"]

torch.set_num_threads(2)
sampler = load_sampler(sys.argv[1])
tok = sampler.tokenizer
reqs = [SampleRequest(tok.encode(p, bos=True), SamplingParams(max_tokens=60, temperature=0.8, top_p=0.95, seed=i))
        for i, p in enumerate(PROMPTS)]
for p, r in zip(PROMPTS, sampler.sample_many(reqs)):
    s = r.sequences[0]
    print(f"--- prompt {p!r} (seed {PROMPTS.index(p)}, {s.stop_reason}, avg logprob {sum(s.logprobs) / len(s.logprobs):.2f})")
    print(p + tok.decode(s.tokens))
