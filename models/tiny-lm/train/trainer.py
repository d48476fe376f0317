"""The tiny-lm training processor `hangar/tiny-lm-train@1`: Hangar's `train-run`, a whole LoRA
run on the server.

predict() runs hangar_lm's LoRA loop (finetune.train_lora) on the base model the sampling
processor loads (real mode: HANGAR_LM_MODEL, the baked-in base; mock mode: the tiny model with
its fixed random initialisation, so a mock-mode adapter fits a mock-mode sampler). Per step it
reports a `progress` event whose message is `step N/M loss X` (contracts' TrainingStep parses
it) and a log line. Into the output folder, all uploaded as the run's outputs:

    sampler_weights/<checkpoint_id>.hlora   one packed adapter per checkpoint (lm-protocol.md)
    weights/final/…                         the resumable training state (adapter + optimizer)
    result.json                             losses, checkpoints, held-out base vs tuned logprob

Checkpoint ids are `step-N` (sampler; `step-0` when steps is 0, the untrained adapter) and `final` (weights); the gateway registers them as
`hangar://<run_id>/<kind>/<id>` when the run ends.
"""

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # hangar_lm and the sampling processor's predict.py sit one folder up

from hangar_lm import AdamParams, LoraConfig  # noqa: E402
from hangar_lm.checkpoint import read_config, write_json  # noqa: E402
from hangar_lm.finetune import adapter_lora, train_lora  # noqa: E402
from hangar_lm.lora import pack_adapter  # noqa: E402
import predict as sampling  # noqa: E402

DEFAULT_RANK = 32  # Tinker's default LoRA rank


def step_message(step: int, steps: int, loss: float) -> str:
    """The progress message of one step; TrainingStep in contracts reads it back."""
    return f"step {step}/{steps} loss {loss:.6f}"


class Predictor(sampling.Predictor):
    # Kept identical to inputs_schema in hangar.yaml; tests/test_trainer.py checks they match.
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["steps"],
        "properties": {
            "dataset": {"type": "string", "minLength": 1,
                        "description": "The JSONL dataset: an attachment ({\"$attach\":NAME}); lines {prompt, completion} or {text}. Required unless steps is 0."},
            "adapter": {"type": "string", "minLength": 1,
                        "description": "Start from this packed sampler checkpoint (an attachment); its LoRA configuration wins over rank/seed/train_*."},
            "steps": {"type": "integer", "minimum": 0, "maximum": 10000,
                      "description": "0 trains nothing and saves the starting adapter as step-0 (checkpoint save)."},
            "rank": {"type": "integer", "minimum": 1, "maximum": 128, "default": DEFAULT_RANK},
            "seed": {"type": "integer", "minimum": 0, "default": 0},
            "train_mlp": {"type": "boolean", "default": True},
            "train_attn": {"type": "boolean", "default": True},
            "train_unembed": {"type": "boolean", "default": True},
            "learning_rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 3e-3},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 256, "default": 8},
            "checkpoint_every": {"type": "integer", "minimum": 0, "default": 0,
                                 "description": "A sampler checkpoint every N steps (0 = the last step only)."},
        },
        "additionalProperties": False,
    }

    def predict(self, steps, dataset=None, adapter=None, rank=DEFAULT_RANK, seed=0, train_mlp=True, train_attn=True, train_unembed=True,
                learning_rate=3e-3, batch_size=8, checkpoint_every=0):
        if not (train_mlp or train_attn or train_unembed):
            raise ValueError("at least one of train_mlp, train_attn and train_unembed must be true")
        if steps > 0 and dataset is None:
            raise ValueError("a dataset is required to train (steps > 0); upload a JSONL file as an attachment")
        lora = (adapter_lora(adapter) if adapter is not None else
                LoraConfig(rank=rank, seed=seed, train_mlp=train_mlp, train_attn=train_attn, train_unembed=train_unembed))
        out = Path(self.output_dir)
        work = Path(tempfile.mkdtemp(prefix="tiny-lm-train-"))  # adapter folders before packing: not outputs

        def on_step(step, loss):
            message = step_message(step, steps, loss)
            print(message, flush=True)
            self.progress(step / steps, message)

        try:
            result = train_lora(self.base_dir, dataset, steps, work, lora, AdamParams(learning_rate=learning_rate),
                                batch_size=batch_size, seed=seed, checkpoint_every=checkpoint_every,
                                device=self.device, on_step=on_step, init_adapter=adapter)
            sampler_dir = out / "sampler_weights"
            sampler_dir.mkdir(parents=True, exist_ok=True)
            checkpoints = []
            for folder in result["checkpoints"]:
                packed = pack_adapter(folder, sampler_dir / f"{Path(folder).name}.hlora")
                checkpoints.append(str(packed.relative_to(out)))
            shutil.copytree(work / "weights", out / "weights", dirs_exist_ok=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        summary = {**result, "checkpoints": checkpoints, "weights": ["weights/final"],
                   "base_model": read_config(self.base_dir).get("name"), "lora": lora.to_dict(),
                   "learning_rate": learning_rate, "batch_size": batch_size, "steps": steps}
        write_json(out / "result.json", summary)
        return summary
