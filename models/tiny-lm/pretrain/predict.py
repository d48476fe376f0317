"""The base-model pretraining processor `hangar/tiny-lm-pretrain@1`: how Hangar trains its own
base model `hangar/tiny-lm`, as a run like any other.

predict() runs hangar_lm.pretrain.train on Debian's fortunes with the committed tokenizer and
writes, as the run's outputs:

    model/config.json, model/model.pt, model/tokenizer.model   the base model (load_model reads it)
    loss.csv                                                   step, lr, train_loss, val_loss, elapsed_s
    summary.json                                               the run's settings and final validation loss

Each step is also a `progress` event (`step N/M loss X`), so the loss curve streams over the
run's WebSocket. Mock mode trains the tiny test-size model on the first 200 fortunes, seed 0:
real computation, quick and deterministic. models/tiny-lm/pretrain.sh turns a real run's
outputs into the committed base model (docs/base-model.md).
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # hangar_lm sits one folder up, in the image and in the repo

import torch  # noqa: E402

from hangar_lm import ModelConfig, Tokenizer  # noqa: E402
from hangar_lm.corpus import iter_fortunes  # noqa: E402
from hangar_lm.pretrain import train  # noqa: E402
from hangar_runtime.processor import Processor  # noqa: E402

MOCK_DOCS = 200
STEP = re.compile(r"step (\d+)/(\d+) .*?loss (\S+)")  # a line of hangar_lm.pretrain.train's log


class Predictor(Processor):
    # Kept identical to inputs_schema in hangar.yaml; tests/test_pretrain.py checks they match.
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "steps": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 160},
            "config": {"enum": ["default", "tiny"], "default": "default",
                       "description": "The model size: default (the base model's) or tiny (tests)."},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 512, "default": 8},
            "seq_len": {"type": "integer", "minimum": 8, "maximum": 256, "default": 128},
            "learning_rate": {"type": "number", "exclusiveMinimum": 0, "default": 3e-3},
            "warmup": {"type": "integer", "minimum": 0, "default": 20},
            "seed": {"type": "integer", "default": 0},
            "max_docs": {"type": ["integer", "null"], "minimum": 1, "default": None,
                         "description": "Train on the first N fortunes only (null: all 15,207)."},
            "max_minutes": {"type": ["number", "null"], "exclusiveMinimum": 0, "default": None,
                            "description": "Stop early, and save, once this long has passed."},
            "eval_every": {"type": "integer", "minimum": 1, "default": 25},
        },
        "additionalProperties": False,
    }

    def setup(self):
        torch.set_num_threads(int(os.environ.get("HANGAR_LM_THREADS", "1")))
        self.device = os.environ.get("HANGAR_LM_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = Tokenizer.load(os.environ.get("HANGAR_LM_TOKENIZER", str(HERE.parent / "assets" / "tokenizer.model")))

    def predict(self, steps=160, config="default", batch_size=8, seq_len=128, learning_rate=3e-3, warmup=20, seed=0,
                max_docs=None, max_minutes=None, eval_every=25):
        if self.mode != "real":
            config, max_docs, seed = "tiny", min(max_docs or MOCK_DOCS, MOCK_DOCS), 0
        docs = list(iter_fortunes())[:max_docs]
        if not docs:
            raise ValueError("no fortunes found: the image must have Debian's fortunes package")
        model_config = (ModelConfig.tiny if config == "tiny" else ModelConfig.default)(self.tokenizer.vocab_size)

        def log(line: str) -> None:
            print(line, flush=True)
            step = STEP.match(line)
            if step:
                self.progress(int(step[1]) / steps, f"step {step[1]}/{step[2]} loss {step[3]}")

        summary = train(self.output_dir, model_config, self.tokenizer, docs, steps, batch_size, seq_len, learning_rate,
                        warmup, 0.1, 1.0, seed, self.device, save_every=steps + 1, eval_every=eval_every,
                        max_minutes=max_minutes, log=log)
        return {k: summary[k] for k in ("name", "steps", "seconds", "final_val_loss", "parameters", "train_tokens")}
