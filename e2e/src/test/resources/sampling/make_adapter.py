"""A LoRA for the base model, trained here for a few steps with hangar_lm and packed as one .hlora
file: argv MODEL_DIR OUT_FILE. Prints the file's path."""

import sys
import tempfile
from pathlib import Path

model_dir, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, str(Path(model_dir).resolve().parents[1]))

import torch  # noqa: E402

from hangar_lm import AdamParams, Datum, LoraConfig, Tokenizer, TrainingSession  # noqa: E402
from hangar_lm.lora import pack_adapter  # noqa: E402

torch.set_num_threads(1)
tokenizer = Tokenizer.load(Path(model_dir) / "tokenizer.model")
session = TrainingSession.create(model_dir, LoraConfig(rank=4, seed=0))
data = []
for text in ["Tower, Kilo ready for departure.", "Tower, Lima ready for departure.", "Tower, Mike ready."]:
    ids = tokenizer.encode(text, bos=True) + [tokenizer.eos_id]
    data.append(Datum(model_input=ids[:-1], loss_fn_inputs={"target_tokens": ids[1:], "weights": [1.0] * (len(ids) - 1)}))
for _ in range(4):
    session.forward_backward(data, loss_fn="cross_entropy")
    session.optim_step(AdamParams(learning_rate=2e-2))
print(pack_adapter(session.save_for_sampler(tempfile.mkdtemp()), out))
