"""The tiny-lm sampling processor: Tinker-style sampling from Hangar's own model.

Real mode loads the model folder named by HANGAR_LM_MODEL (the image holds the base model
trained on the fortunes corpus) and, if HANGAR_LM_ADAPTER names one, a LoRA adapter saved for
the sampler. Mock mode needs no weights: the same architecture in its tiny test size with a
fixed random initialisation (torch.manual_seed(0)) and the real tokenizer, and seed 0 when the
input gives none, so the same input gives the same tokens and output.json bytes; fast and
offline, but its text is gibberish. Both stream the first sequence's text with emit_token.

An `adapter` input (a LoRA packed by hangar_lm.lora.pack_adapter, e.g. a sampler checkpoint
attached to the run) samples from the base with that adapter merged in; the last few adapters
stay loaded, keyed by the file's sha256, so a warm container swaps between them without
reloading the base. When the runtime runs several predictions at once (HANGAR_MAX_CONCURRENCY
> 1, a warm container), they go through one RequestBatcher per model and share forward passes.
"""

import collections
import copy
import hashlib
import os
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # hangar_lm sits next to this file in the image and in the repo

import torch  # noqa: E402

from hangar_lm import (AdamParams, LoraConfig, ModelConfig, SampleRequest, Sampler, SamplingParams, Tokenizer,  # noqa: E402
                       TransformerLM, load_sampler, save_model)
from hangar_lm.batching import RequestBatcher  # noqa: E402
from hangar_lm.checkpoint import read_config  # noqa: E402
from hangar_lm.finetune import parse_object, train_lora  # noqa: E402
from hangar_lm.lora import load_adapter  # noqa: E402
from hangar_runtime import context  # noqa: E402
from hangar_runtime.processor import Processor  # noqa: E402

STOP = {"anyOf": [{"type": "string", "minLength": 1},
                  {"type": "array", "items": {"type": "string", "minLength": 1}},
                  {"type": "array", "items": {"type": "integer", "minimum": 0}}]}


class Predictor(Processor):
    # Kept identical to inputs_schema in hangar.yaml; tests/test_processor.py checks they match.
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "description": "Prompt text (BOS is prepended); or give prompt_tokens."},
            "prompt_tokens": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0},
                              "description": "Prompt token ids, used as given."},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": 255, "default": 32},
            "temperature": {"type": "number", "minimum": 0, "default": 1.0, "description": "0 = greedy"},
            "top_k": {"type": "integer", "minimum": -1, "default": -1, "description": "-1 = off"},
            "top_p": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 1.0},
            "seed": {"type": ["integer", "null"], "default": None},
            "stop": {**STOP, "description": "Strings or token ids; absent = stop at EOS; [] = never stop early"},
            "num_samples": {"type": "integer", "minimum": 1, "maximum": 16, "default": 1},
            "prompt_logprobs": {"type": "boolean", "default": False},
            "topk_prompt_logprobs": {"type": "integer", "minimum": 0, "maximum": 20, "default": 0},
            "adapter": {"type": "string", "minLength": 1,
                        "description": "Path of a packed LoRA adapter (.hlora, e.g. an attachment) to sample with; "
                                       "absent = the base model."},
        },
        "additionalProperties": False,
    }

    # The whole-run LoRA training (POST /trainings): Hangar's `train-run`, the loop run here.
    train_input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["steps"],
        "properties": {
            "dataset": {"type": "string", "minLength": 1,
                        "description": "Path of a JSONL file in the container (e.g. an attachment)."},
            "examples": {"type": "array", "minItems": 1, "items": {"type": "object"},
                         "description": "Inline examples: {prompt, completion} or {text} objects."},
            "steps": {"type": "integer", "minimum": 1, "maximum": 10000},
            "rank": {"type": "integer", "minimum": 1, "maximum": 128, "default": 8},
            "seed": {"type": "integer", "default": 0},
            "train_mlp": {"type": "boolean", "default": True},
            "train_attn": {"type": "boolean", "default": True},
            "train_unembed": {"type": "boolean", "default": True},
            "learning_rate": {"type": "number", "exclusiveMinimum": 0, "default": 3e-3},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 256, "default": 8},
            "checkpoint_every": {"type": "integer", "minimum": 0, "default": 0,
                                 "description": "Save a sampler checkpoint every N steps (0 = the last only)."},
        },
        "additionalProperties": False,
    }

    def setup(self):
        torch.set_num_threads(int(os.environ.get("HANGAR_LM_THREADS", "1")))
        device = os.environ.get("HANGAR_LM_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
        self.device = device
        if self.mode == "real":
            model_dir = os.environ.get("HANGAR_LM_MODEL", str(HERE / "weights" / "tiny-lm-base"))
            self.base_dir = Path(model_dir)
            self.sampler = load_sampler(model_dir, os.environ.get("HANGAR_LM_ADAPTER") or None, device)
            print(f"real mode: loaded {model_dir} on {device}")
        else:
            tokenizer = Tokenizer.load(os.environ.get("HANGAR_LM_TOKENIZER", str(HERE / "assets" / "tokenizer.model")))
            torch.manual_seed(0)
            model = TransformerLM(ModelConfig.tiny(tokenizer.vocab_size)).to(device).eval()
            self.sampler = Sampler(model, tokenizer)
            self.base_dir = Path(tempfile.mkdtemp(prefix="tiny-lm-mock-"))  # train() needs a model folder
            save_model(self.base_dir, model, tokenizer, name="hangar/tiny-lm-mock")
            print("mock mode: tiny model with a fixed random initialisation")
        batched = os.environ.get("HANGAR_LM_BATCH", "1") != "0" and int(os.environ.get("HANGAR_MAX_CONCURRENCY", "1")) > 1
        wait = float(os.environ.get("HANGAR_LM_BATCH_WAIT_MS", "10")) / 1000
        self.adapters = AdapterCache(self.sampler, int(os.environ.get("HANGAR_LM_ADAPTER_CACHE", "4")),
                                     (lambda s: RequestBatcher(s, max_batch=16, max_wait_s=wait)) if batched else None)
        self.lock = threading.Lock()  # one sample at a time when not batched (a Sampler is not thread-safe)
        print(f"sampling: {'batched' if batched else 'one request at a time'}")

    def predict(self, prompt=None, prompt_tokens=None, max_tokens=32, temperature=1.0, top_k=-1, top_p=1.0,
                seed=None, stop=None, num_samples=1, prompt_logprobs=False, topk_prompt_logprobs=0, adapter=None):
        sampler, batcher = self.adapters.get(adapter)
        tokenizer = sampler.tokenizer
        if (prompt is None) == (prompt_tokens is None):
            raise ValueError("give exactly one of prompt (text) and prompt_tokens (token ids)")
        tokens = list(prompt_tokens) if prompt_tokens is not None else tokenizer.encode(prompt, bos=True)
        if seed is None and self.mode != "real":
            seed = 0
        params = SamplingParams(max_tokens=max_tokens, temperature=float(temperature), top_k=top_k,
                                top_p=float(top_p), seed=seed, stop=stop)
        request = SampleRequest(tokens, params, num_samples, bool(prompt_logprobs), topk_prompt_logprobs)
        produced = [0]
        job = context.current()  # a batch runs on the batcher's thread: stream to this job, not that thread's
        emit = job.emit_token if job else self.emit_token
        progress = job.progress if job else self.progress

        def on_token(request_index, sample_index, token, text):
            if sample_index == 0:
                produced[0] += 1
                emit(text)
                progress(produced[0] / max_tokens, f"{produced[0]} of at most {max_tokens} tokens")

        if batcher is not None:
            response = batcher.submit(request, on_token).result()
        else:
            with self.lock:
                response = sampler.sample(request, on_token)
        response = response.to_dict()
        for sequence in response["sequences"]:
            sequence["text"] = tokenizer.decode(sequence["tokens"])
        response["prompt_tokens"] = tokens
        return response

    def train(self, steps, dataset=None, examples=None, rank=8, seed=0, train_mlp=True, train_attn=True,
              train_unembed=True, learning_rate=3e-3, batch_size=8, checkpoint_every=0):
        """Trains a LoRA on the base model; writes sampler_weights/step-N/ and weights/final/ into
        the output folder, logs and reports the loss of every step, returns the result summary."""
        if (dataset is None) == (examples is None):
            raise ValueError("give exactly one of dataset (a JSONL path) and examples (a list)")
        data = dataset if dataset is not None else [parse_object(e, f"examples[{i}]") for i, e in enumerate(examples)]
        lora = LoraConfig(rank=rank, seed=seed, train_mlp=train_mlp, train_attn=train_attn, train_unembed=train_unembed)

        def on_step(step, loss):
            print(f"step {step}/{steps} loss {loss:.4f}", flush=True)
            self.progress(step / steps, f"step {step}/{steps} loss {loss:.4f}")

        result = train_lora(self.base_dir, data, steps, self.output_dir, lora, AdamParams(learning_rate=learning_rate),
                            batch_size=batch_size, seed=seed, checkpoint_every=checkpoint_every,
                            device=self.device, on_step=on_step)
        result["checkpoints"] = [str(Path(c).relative_to(self.output_dir)) for c in result["checkpoints"]]
        result["base_model"] = read_config(self.base_dir).get("name")
        return result


class AdapterCache:
    """The base sampler, or one with a packed LoRA merged into a copy of the base weights, each
    with its RequestBatcher when batching. The last `size` adapters stay loaded, keyed by the
    sha256 of the file (a run's attachment path differs from run to run, its content does not)."""

    def __init__(self, base: Sampler, size: int, make_batcher=None):
        self.size, self.make_batcher = max(1, size), make_batcher
        self.base = (base, make_batcher(base) if make_batcher else None)
        self.loaded = collections.OrderedDict()  # sha256 -> (Sampler, RequestBatcher | None), least recent first
        self.lock = threading.Lock()
        self.loads = 0

    def get(self, path):
        """(sampler, batcher or None) for the adapter file at `path`, or for the base when None."""
        if path is None:
            return self.base
        source = Path(path)
        if not source.is_file():
            raise ValueError(f"adapter {path}: no such file (give the path of a packed .hlora, e.g. an attachment)")
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        with self.lock:
            if digest in self.loaded:
                self.loaded.move_to_end(digest)
                return self.loaded[digest]
            model = copy.deepcopy(self.base[0].model)
            try:
                load_adapter(model, source, merge=True)
            except (ValueError, KeyError, RuntimeError) as e:
                raise ValueError(f"adapter {source.name} does not fit this base model: {e}") from e
            model.eval()
            sampler = Sampler(model, self.base[0].tokenizer)
            entry = self.loaded[digest] = (sampler, self.make_batcher(sampler) if self.make_batcher else None)
            self.loads += 1
            while len(self.loaded) > self.size:
                _, (_, evicted) = self.loaded.popitem(last=False)
                if evicted is not None:
                    evicted.close()  # its queued requests finish first; its thread ends
            return entry
