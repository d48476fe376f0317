"""Sampling with Tinker's parameters, many requests batched in one forward pass.

What `logprobs` means: for each sampled token, the log-probability it had under the
distribution it was actually drawn from, i.e. softmax(logits / temperature) restricted to the
top-k / top-p support and renormalised. With temperature 1 and no top-k/top-p (Tinker's
defaults) that is exactly the model's own log-probability. With temperature 0 (greedy) the
drawn-from distribution is a point mass, so the model's unscaled log_softmax at the argmax is
reported instead. `prompt_logprobs` and `topk_prompt_logprobs` are always the model's own
(temperature 1, unfiltered) log-probabilities of each prompt token given its prefix.

Determinism: every sequence draws from its own torch.Generator seeded from (seed, sample
index), so the same seed gives the same tokens whether a request is sampled alone or batched
with others. Batching left-pads prompts; positions and the key mask make a padded row compute
what it would alone (up to float rounding in the matmuls).
"""

import hashlib
import os
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from .model import TransformerLM
from .tokenizer import Tokenizer

Stop = Union[None, str, Sequence[str], Sequence[int]]
TokenCallback = Callable[[int, int, int, str], None]  # (request, sample, token id, text piece)


@dataclass
class SamplingParams:
    """Tinker's SamplingParams. `stop`: None stops at EOS; [] never stops before max_tokens;
    strings or token ids stop there (EOS too, unless stop is [])."""

    max_tokens: int = 32
    temperature: float = 1.0
    top_k: int = -1
    top_p: float = 1.0
    seed: Optional[int] = None
    stop: Stop = None

    def validate(self) -> None:
        if not isinstance(self.max_tokens, int) or self.max_tokens < 1:
            raise ValueError("max_tokens must be an integer >= 1")
        if not self.temperature >= 0:
            raise ValueError("temperature must be >= 0 (0 = greedy)")
        if not isinstance(self.top_k, int) or (self.top_k < 1 and self.top_k != -1):
            raise ValueError("top_k must be -1 (off) or an integer >= 1")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        stop_strings, _ = split_stop(self.stop)
        if any(s == "" for s in stop_strings):
            raise ValueError("stop strings must not be empty")


@dataclass
class SampleRequest:
    prompt: List[int]
    params: SamplingParams = field(default_factory=SamplingParams)
    num_samples: int = 1
    prompt_logprobs: bool = False
    topk_prompt_logprobs: int = 0


@dataclass
class SampledSequence:
    tokens: List[int]
    logprobs: List[float]
    stop_reason: str  # "length" | "stop"

    def to_dict(self) -> dict:
        return {"tokens": self.tokens, "logprobs": self.logprobs, "stop_reason": self.stop_reason}


@dataclass
class SampleResponse:
    sequences: List[SampledSequence]
    prompt_logprobs: Optional[List[Optional[float]]] = None
    topk_prompt_logprobs: Optional[List[Optional[List[Tuple[int, float]]]]] = None

    def to_dict(self) -> dict:
        """Tinker's SampleResponse JSON shape."""
        return {"sequences": [s.to_dict() for s in self.sequences], "prompt_logprobs": self.prompt_logprobs,
                "topk_prompt_logprobs": None if self.topk_prompt_logprobs is None else
                [None if row is None else [list(p) for p in row] for row in self.topk_prompt_logprobs],
                "type": "sample"}


def split_stop(stop: Stop) -> Tuple[List[str], List[int]]:
    if stop is None:
        return [], []
    if isinstance(stop, str):
        return [stop], []
    items = list(stop)
    if all(isinstance(s, str) for s in items):
        return items, []
    if all(isinstance(s, int) and not isinstance(s, bool) for s in items):
        return [], items
    raise ValueError("stop must be a string, a list of strings or a list of token ids")


def sequence_seed(seed: Optional[int], sample_index: int) -> int:
    """The seed of one sequence's generator: derived from (seed, index), random when seed is None."""
    if seed is None:
        return int.from_bytes(os.urandom(8), "little") >> 1
    digest = hashlib.sha256(f"{seed}:{sample_index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def sampling_distribution(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """Log-probabilities [V] of the distribution to draw from (-inf outside its support)."""
    logp = F.log_softmax(logits.float() / temperature, dim=-1)
    if top_k != -1 and top_k < logp.shape[-1]:
        kth = torch.topk(logp, top_k).values[-1]
        logp = logp.masked_fill(logp < kth, float("-inf"))
    if top_p < 1.0:
        sorted_lp, order = torch.sort(logp, descending=True)
        probs = sorted_lp.exp()
        # keep the smallest prefix whose mass reaches top_p (the first token is always kept)
        drop_sorted = (probs.cumsum(-1) - probs) >= top_p
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logp = logp.masked_fill(drop, float("-inf"))
    return F.log_softmax(logp, dim=-1)


class _Row:
    """One sequence being generated."""

    def __init__(self, request_index: int, sample_index: int, request: SampleRequest, device):
        self.request_index, self.sample_index = request_index, sample_index
        self.params = request.params
        self.stop_strings, stop_ids = split_stop(request.params.stop)
        self.stop_ids = set(stop_ids)
        self.stop_at_eos = request.params.stop is None or bool(self.stop_strings or stop_ids)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(sequence_seed(request.params.seed, sample_index))
        self.tokens: List[int] = []
        self.logprobs: List[float] = []
        self.text = ""
        self.stop_reason: Optional[str] = None


class Sampler:
    """Samples from a loaded model. `sample_many` batches all requests' sequences together."""

    def __init__(self, model: TransformerLM, tokenizer: Tokenizer):
        self.model, self.tokenizer = model, tokenizer

    @property
    def device(self) -> torch.device:
        return self.model.device

    def sample(self, request: SampleRequest, on_token: Optional[TokenCallback] = None) -> SampleResponse:
        return self.sample_many([request], on_token)[0]

    @torch.no_grad()
    def sample_many(self, requests: Sequence[SampleRequest],
                    on_token: Optional[TokenCallback] = None) -> List[SampleResponse]:
        for r in requests:
            self._validate(r)
        was_training = self.model.training
        self.model.eval()
        try:
            return self._generate(list(requests), on_token)
        finally:
            self.model.train(was_training)

    def _validate(self, r: SampleRequest) -> None:
        r.params.validate()
        if not r.prompt:
            raise ValueError("the prompt must hold at least one token")
        vocab = self.model.config.vocab_size
        if any(not isinstance(t, int) or not 0 <= t < vocab for t in r.prompt):
            raise ValueError(f"prompt token ids must be integers in [0, {vocab})")
        if not isinstance(r.num_samples, int) or r.num_samples < 1:
            raise ValueError("num_samples must be an integer >= 1")
        if r.topk_prompt_logprobs < 0:
            raise ValueError("topk_prompt_logprobs must be >= 0")
        limit = self.model.config.max_seq_len
        if len(r.prompt) + r.params.max_tokens > limit:
            raise ValueError(f"prompt ({len(r.prompt)} tokens) + max_tokens ({r.params.max_tokens}) "
                             f"exceeds the model's context of {limit} tokens")

    def _generate(self, requests: List[SampleRequest], on_token) -> List[SampleResponse]:
        device = self.device
        rows = [_Row(i, j, r, device) for i, r in enumerate(requests) for j in range(r.num_samples)]
        prompts = [requests[row.request_index].prompt for row in rows]
        width = max(len(p) for p in prompts)
        tokens = torch.full((len(rows), width), self.tokenizer.pad_id, dtype=torch.long, device=device)
        key_mask = torch.zeros((len(rows), width), dtype=torch.bool, device=device)
        for i, p in enumerate(prompts):  # left padding: every prompt ends at the last column
            tokens[i, width - len(p):] = torch.tensor(p, device=device)
            key_mask[i, width - len(p):] = True
        positions = (key_mask.long().cumsum(-1) - 1).clamp(min=0)
        cache = self.model.new_cache()
        logits = self.model(tokens, positions, key_mask, cache)
        responses = self._prompt_logprobs(requests, rows, logits, tokens, width)
        last = logits[:, -1, :]
        next_pos = positions[:, -1] + 1
        max_steps = max(r.params.max_tokens for r in requests)
        for _ in range(max_steps):
            chosen = torch.full((len(rows),), self.tokenizer.pad_id, dtype=torch.long, device=device)
            for i, row in enumerate(rows):
                if row.stop_reason is None:
                    chosen[i] = self._step(row, last[i], on_token)
            if all(row.stop_reason is not None for row in rows):
                break
            key_mask = torch.cat([key_mask, torch.ones((len(rows), 1), dtype=torch.bool, device=device)], dim=1)
            last = self.model(chosen[:, None], next_pos[:, None], key_mask, cache)[:, -1, :]
            next_pos = next_pos + 1
        for row in rows:
            responses[row.request_index].sequences.append(
                SampledSequence(row.tokens, row.logprobs, row.stop_reason or "length"))
        return responses

    def _step(self, row: _Row, logits: torch.Tensor, on_token) -> int:
        p = row.params
        if p.temperature == 0:
            token = int(torch.argmax(logits))
            logprob = float(F.log_softmax(logits.float(), dim=-1)[token])
        else:
            logp = sampling_distribution(logits, p.temperature, p.top_k, p.top_p)
            token = int(torch.multinomial(logp.exp(), 1, generator=row.generator))
            logprob = float(logp[token])
        row.tokens.append(token)
        row.logprobs.append(logprob)
        text = self.tokenizer.decode(row.tokens)
        if token in row.stop_ids or (row.stop_at_eos and token == self.tokenizer.eos_id) \
                or any(s in text for s in row.stop_strings):
            row.stop_reason = "stop"
        elif len(row.tokens) >= p.max_tokens:
            row.stop_reason = "length"
        # A character split across byte-fallback tokens decodes as U+FFFD until its last byte
        # arrives: hold such a tail back until then (or the end), so the pieces join to the text.
        ready = text if row.stop_reason else text.rstrip("\ufffd")
        piece = ready[len(row.text):] if ready.startswith(row.text) else ""
        row.text += piece
        if on_token is not None:
            on_token(row.request_index, row.sample_index, token, piece)
        return token

    def _prompt_logprobs(self, requests, rows, logits, tokens, width) -> List[SampleResponse]:
        responses = [SampleResponse([]) for _ in requests]
        first_row = {}
        for i, row in enumerate(rows):
            first_row.setdefault(row.request_index, i)
        for index, r in enumerate(requests):
            if not (r.prompt_logprobs or r.topk_prompt_logprobs):
                continue
            i, n = first_row[index], len(r.prompt)
            logp = F.log_softmax(logits[i, width - n:-1].float(), dim=-1)  # predicts prompt[1:]
            targets = tokens[i, width - n + 1:]
            if r.prompt_logprobs:
                responses[index].prompt_logprobs = [None] + logp.gather(-1, targets[:, None])[:, 0].tolist()
            if r.topk_prompt_logprobs:
                top = torch.topk(logp, min(r.topk_prompt_logprobs, logp.shape[-1]), dim=-1)
                responses[index].topk_prompt_logprobs = [None] + [
                    list(zip(ids.tolist(), vals.tolist())) for ids, vals in zip(top.indices, top.values)]
        return responses
