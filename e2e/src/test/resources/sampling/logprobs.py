"""The base model's own log-probabilities, computed here with hangar_lm (no Hangar in between):
stdin {"model": DIR, "prompt": TEXT, "sequences": [[ids]]} -> stdout {"prompt_tokens", "prompt_logprobs",
"logprobs": [[...]]}, each token's logprob given the prompt and the tokens before it (one full
forward pass, no KV cache: an independent check of the sampler's incremental decoding)."""

import json
import sys
from pathlib import Path

request = json.load(sys.stdin)
sys.path.insert(0, str(Path(request["model"]).resolve().parents[1]))  # models/tiny-lm, beside its weights/

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from hangar_lm import load_sampler  # noqa: E402

torch.set_num_threads(1)
sampler = load_sampler(request["model"])
prompt = sampler.tokenizer.encode(request["prompt"], bos=True)
answer = {"prompt_tokens": prompt, "logprobs": []}
with torch.no_grad():
    for sequence in request["sequences"]:
        ids = prompt + sequence
        logp = F.log_softmax(sampler.model(torch.tensor([ids]))[0].float(), dim=-1)
        answer["logprobs"].append([logp[len(prompt) - 1 + i, t].item() for i, t in enumerate(sequence)])
        answer["prompt_logprobs"] = [None] + [logp[i, prompt[i + 1]].item() for i in range(len(prompt) - 1)]
print(json.dumps(answer))
