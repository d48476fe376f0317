"""Measures sampling speed: `python3 -m hangar_lm.bench --model DIR [--requests 8] [--threads 1]`.

Prints JSON with, for `requests` concurrent requests of `max_tokens` tokens each (stop=[] so
every sequence runs its full length): the time sampled one after another vs batched in one
`sample_many`, tokens/s of each, time to first token (batched), and the bare forward loop (the
same prefill + cached decode steps, no sampling logic) as the ceiling. Best of `repeats` runs.
"""

import argparse
import json
import time

import torch

from . import SampleRequest, SamplingParams, load_sampler

PROMPTS = ["A penny saved", "The tower said", "Never trust", "In the beginning", "Why do programmers",
           "Love is", "If at first", "The only thing"]


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


@torch.no_grad()
def forward_loop(model, prompts, max_tokens):
    width = max(len(p) for p in prompts)
    tokens = torch.zeros((len(prompts), width), dtype=torch.long, device=model.device)
    mask = torch.zeros_like(tokens, dtype=torch.bool)
    for i, p in enumerate(prompts):
        tokens[i, width - len(p):] = torch.tensor(p)
        mask[i, width - len(p):] = True
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0)
    cache = model.new_cache()
    logits = model(tokens, pos, mask, cache)
    nxt = pos[:, -1:] + 1
    for _ in range(max_tokens - 1):
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        logits = model(logits[:, -1].argmax(-1, keepdim=True), nxt, mask, cache)
        nxt = nxt + 1


def main(argv=None):
    p = argparse.ArgumentParser(description="Sampling speed, batched vs unbatched.")
    p.add_argument("--model", required=True)
    p.add_argument("--requests", type=int, default=8)
    p.add_argument("--max-tokens", type=int, default=48)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    sampler = load_sampler(args.model, device=args.device)
    tok = sampler.tokenizer
    requests = [SampleRequest(tok.encode(PROMPTS[i % len(PROMPTS)], bos=True),
                              SamplingParams(max_tokens=args.max_tokens, seed=i, stop=[]))
                for i in range(args.requests)]
    total = args.requests * args.max_tokens
    sampler.sample_many(requests[:1])  # warm-up
    unbatched = best(lambda: [sampler.sample(r) for r in requests], args.repeats)
    batched = best(lambda: sampler.sample_many(requests), args.repeats)
    bare = best(lambda: forward_loop(sampler.model, [r.prompt for r in requests], args.max_tokens), args.repeats)
    first = []
    started = time.perf_counter()
    sampler.sample_many(requests, on_token=lambda *a: first.append(time.perf_counter() - started) if not first else None)
    single_first = []
    started = time.perf_counter()
    sampler.sample(requests[0], on_token=lambda *a: single_first.append(time.perf_counter() - started) if not single_first else None)
    print(json.dumps({
        "requests": args.requests, "max_tokens": args.max_tokens, "threads": args.threads,
        "parameters": sampler.model.num_parameters(),
        "unbatched_s": round(unbatched, 3), "unbatched_tokens_per_s": round(total / unbatched, 1),
        "batched_s": round(batched, 3), "batched_tokens_per_s": round(total / batched, 1),
        "speedup": round(unbatched / batched, 2),
        "bare_forward_loop_s": round(bare, 3), "bare_tokens_per_s": round(total / bare, 1),
        "time_to_first_token_batched_ms": round(first[0] * 1000, 1),
        "time_to_first_token_single_ms": round(single_first[0] * 1000, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
