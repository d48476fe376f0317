"""The tiny-lm training-session processor (`hangar/tiny-lm-session@1`): Tinker's training loop
with the model held here, in a warm container of its own per session (docs/training-sessions.md).

Every call on a session is one run with inputs {session_id, op, args}; the process keeps a dict
session_id -> hangar_lm.TrainingSession (base model + LoRA adapters + AdamW state). The executor
routes a session's runs to the one container that holds it (warm scope `session`). A call for a
session this process does not hold - its container died or was replaced, its executor was lost -
fails with ERR_SESSION_LOST: it never starts a fresh state under the caller's feet.

Real mode loads the base model named by HANGAR_LM_MODEL; mock mode the same architecture in its
tiny test size with a fixed random initialisation (torch.manual_seed(0)): real computation, real
gradients, fast, but no pretrained knowledge.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# hangar_lm, assets/ and weights/ sit beside this file in the image (/src), one folder up in the repo
ROOT = HERE if (HERE / "hangar_lm").is_dir() else HERE.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from hangar_lm import AdamParams, Datum, LoraConfig, ModelConfig, Tokenizer, TrainingSession, TransformerLM  # noqa: E402
from hangar_lm.lora import pack_adapter  # noqa: E402
from hangar_runtime.processor import Processor  # noqa: E402

OPS = ["create", "forward", "forward_backward", "optim_step", "save_weights", "save_weights_for_sampler",
       "load_weights", "close"]
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# what TrainingSession.save_state writes: the files a weights checkpoint may hand load_weights
CHECKPOINT_FILES = {"adapter_config.json", "adapter.pt", "optimizer.pt", "train_state.json"}


class SessionLost(Exception):
    """The runtime reports it as "SessionLost: ERR_SESSION_LOST: ..."; the executor keeps the code."""


class Held:
    """One session's state: the training session and the weights it saved (for load_weights)."""

    def __init__(self, session: TrainingSession, lora: dict):
        self.session, self.lora, self.saved = session, lora, {}


class Predictor(Processor):
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["session_id", "op"],
        "properties": {
            "session_id": {"type": "string", "pattern": "^ts_[a-z0-9]{20,40}$"},
            "op": {"enum": OPS},
            "args": {"type": "object", "default": {}},
        },
        "additionalProperties": False,
    }

    def setup(self):
        torch.set_num_threads(int(os.environ.get("HANGAR_LM_THREADS", "1")))
        self.device = os.environ.get("HANGAR_LM_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
        if self.mode == "real":
            self.base_dir = Path(os.environ.get("HANGAR_LM_MODEL", str(ROOT / "weights" / "tiny-lm-base")))
            self.base_name = "hangar/tiny-lm"
            self.new_session = lambda lora: TrainingSession.create(self.base_dir, lora, self.device)
        else:
            tokenizer = Tokenizer.load(os.environ.get("HANGAR_LM_TOKENIZER",
                                                      str(ROOT / "assets" / "tokenizer.model")))
            config = ModelConfig.tiny(tokenizer.vocab_size)
            torch.manual_seed(0)
            weights = TransformerLM(config).state_dict()  # kept in memory: the runtime empties /tmp between runs
            self.base_dir = "(in memory)"
            self.base_name = "hangar/tiny-lm"

            def new_session(lora):
                model = TransformerLM(config)
                model.load_state_dict(weights)
                return TrainingSession(model.to(self.device), tokenizer, lora, {"name": "hangar/tiny-lm-mock"})

            self.new_session = new_session
        self.sessions = {}
        print(f"{self.mode} mode: sessions train LoRA adapters on {self.base_dir} ({self.device})")

    def predict(self, session_id, op, args=None):
        args = args or {}
        if op == "create":
            return self.create(session_id, args)
        if op == "close":
            held = self.sessions.pop(session_id, None)
            return {"type": "close", "session_id": session_id, "held": held is not None}
        held = self.sessions.get(session_id)
        if held is None:
            raise SessionLost(f"ERR_SESSION_LOST: training session {session_id} is not held by this container "
                              "(it was restarted or replaced); its model state is gone: create a new session "
                              "and load your last saved weights")
        return getattr(self, op)(session_id, held, args)

    # ---- the calls

    def create(self, session_id, args):
        lora = dict(args.get("lora_config") or {})
        config = LoraConfig(rank=int(lora.get("rank", 32)), seed=int(lora.get("seed", 0) or 0),
                            train_mlp=bool(lora.get("train_mlp", True)), train_attn=bool(lora.get("train_attn", True)),
                            train_unembed=bool(lora.get("train_unembed", True)))
        if session_id not in self.sessions:  # a retried create finds its session: same answer, same state
            self.sessions[session_id] = Held(self.new_session(config),
                                             {k: getattr(config, k) for k in
                                              ("rank", "seed", "train_mlp", "train_attn", "train_unembed")})
            # the container's own log (docker logs) says which session it holds, for operators
            print(f"holding training session {session_id}", file=sys.__stderr__, flush=True)
        held = self.sessions[session_id]
        return {"type": "create_model", "model_id": session_id, "base_model": args.get("base_model", self.base_name),
                "lora_config": held.lora}

    def forward(self, session_id, held, args):
        data, loss_fn = self._input(args, "forward_input")
        return self._output(held.session.forward(data, loss_fn), loss_fn, "forward")

    def forward_backward(self, session_id, held, args):
        data, loss_fn = self._input(args, "forward_backward_input")
        return self._output(held.session.forward_backward(data, loss_fn), loss_fn, "forward_backward")

    def optim_step(self, session_id, held, args):
        params = args.get("adam_params") or {}
        known = {k: float(params[k]) for k in ("learning_rate", "beta1", "beta2", "eps", "weight_decay", "grad_clip_norm")
                 if params.get(k) is not None}
        metrics = held.session.optim_step(AdamParams(**known))
        return {"type": "optim_step", "metrics": metrics}

    def save_weights(self, session_id, held, args):
        name = self._fresh(held, "weights", self._name(args))
        folder = held.session.save_state(self.output_dir / "weights" / name)
        held.saved[name] = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        return {"type": "save_weights", "path": f"hangar://{session_id}/weights/{name}"}

    def save_weights_for_sampler(self, session_id, held, args):
        name = self._fresh(held, "sampler_weights", self._name(args))
        folder = held.session.save_for_sampler(Path(tempfile.mkdtemp(prefix="sampler-")) / name)
        target = self.output_dir / "sampler_weights" / f"{name}.hlora"
        target.parent.mkdir(parents=True, exist_ok=True)
        pack_adapter(folder, target)
        return {"type": "save_weights_for_sampler", "path": f"hangar://{session_id}/sampler_weights/{name}"}

    def load_weights(self, session_id, held, args):
        path = str(args.get("path") or "")
        optimizer = bool(args.get("optimizer", True))
        if isinstance(args.get("checkpoint"), dict):
            return self._load_checkpoint(held, path, args["checkpoint"], optimizer)
        prefix = f"hangar://{session_id}/weights/"
        name = path[len(prefix):] if path.startswith(prefix) else path
        if path.startswith("hangar://") and not path.startswith(prefix):
            raise ValueError(f"{path}: the gateway resolves another session's or a training run's checkpoint; "
                             f"this call came without it")
        if name not in held.saved:
            raise ValueError(f"no weights named {name!r} were saved in session {session_id}; saved: {sorted(held.saved)}")
        folder = Path(tempfile.mkdtemp(prefix="load-"))
        for file, content in held.saved[name].items():
            (folder / file).write_bytes(content)
        held.session.load_state(folder, optimizer=optimizer)
        return {"type": "load_weights", "path": f"{prefix}{name}"}

    def _load_checkpoint(self, held, path, checkpoint, optimizer):
        """A checkpoint the gateway resolved (another session's or a training run's weights, the
        caller's own or a published one): its files arrive as this run's input attachments,
        {"files": {name inside the checkpoint: path in this container}}."""
        files = checkpoint.get("files")
        if not isinstance(files, dict) or not files:
            raise ValueError(f"{path}: the checkpoint came without its files")
        folder = Path(tempfile.mkdtemp(prefix="load-"))
        for name, source in files.items():
            if name not in CHECKPOINT_FILES:
                raise ValueError(f"{path}: unexpected file {name!r} in a weights checkpoint (expected {sorted(CHECKPOINT_FILES)})")
            (folder / name).write_bytes(Path(str(source)).read_bytes())
        held.session.load_state(folder, optimizer=optimizer)
        return {"type": "load_weights", "path": path}

    @staticmethod
    def _fresh(held, kind, name):
        """A name is saved once per session and kind: its checkpoint must not change under whoever loads it."""
        names = held.__dict__.setdefault("names", set())
        if (kind, name) in names:
            raise ValueError(f"this session already saved {kind} named {name!r}; a checkpoint is never overwritten, "
                             "choose another name")
        names.add((kind, name))
        return name

    # ---- Tinker's shapes

    @staticmethod
    def _input(args, key):
        body = args.get(key) or args.get("forward_backward_input") or args.get("forward_input")
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ValueError(f"args.{key} must be an object with a data list of Datum")
        loss_fn = body.get("loss_fn", "cross_entropy")
        return [Datum.from_dict(d) for d in body["data"]], loss_fn

    @staticmethod
    def _output(out, loss_fn, kind):
        tensor = lambda values: {"data": values, "dtype": "float32", "shape": [len(values)]}
        return {"type": kind, "loss_fn_output_type": loss_fn, "loss": out.loss, "metrics": out.metrics,
                "loss_fn_outputs": [{k: tensor(v) for k, v in o.items()} for o in out.loss_fn_outputs]}

    @staticmethod
    def _name(args):
        name = str(args.get("path") or args.get("name") or "")
        if not NAME.fullmatch(name):
            raise ValueError(f"a checkpoint name must be 1-64 letters, digits, '.', '_' or '-' (not starting with "
                             f"'.' or '-'), got {name!r}")
        return name
