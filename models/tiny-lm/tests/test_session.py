"""The training-session processor (session/predict.py) in mock mode, through the real Hangar
runtime's Processor class: Tinker's loop with the state held in the process."""

import json
import os
import sys
import tempfile
import unittest
from pathlib import Path

from tests.helpers import ROOT, tokenizer

RUNTIME = ROOT.parents[1] / "runtime" / "python"
A, B = "ts_" + "a" * 24, "ts_" + "b" * 24


def datum(text):
    tokens = tokenizer().encode(text, bos=True)
    return {"model_input": {"chunks": [{"type": "encoded_text", "tokens": tokens[:-1]}]},
            "loss_fn_inputs": {"target_tokens": {"data": tokens[1:], "dtype": "int64", "shape": [len(tokens) - 1]},
                               "weights": {"data": [1.0] * (len(tokens) - 1), "dtype": "float32",
                                           "shape": [len(tokens) - 1]}}}


@unittest.skipUnless((RUNTIME / "hangar_runtime").is_dir(), "the Hangar runtime package is not here")
class SessionProcessorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, str(RUNTIME))
        os.environ["HANGAR_MODE"] = "mock"
        import importlib.util
        spec = importlib.util.spec_from_file_location("session_predict", ROOT / "session" / "predict.py")
        cls.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.module)

    def setUp(self):
        self.out = Path(tempfile.mkdtemp())
        os.environ["HANGAR_OUTPUT_DIR"] = str(self.out)
        self.p = self.module.Predictor()
        self.p.setup()
        self.fb = {"forward_backward_input": {"data": [datum("A penny saved is a penny earned.")],
                                              "loss_fn": "cross_entropy"}}

    def test_spec_schema_matches_the_class(self):
        text = (ROOT / "session" / "hangar.yaml").read_text(encoding="utf-8")
        block = text.split("inputs_schema:\n", 1)[1].split("\noutputs:", 1)[0]
        self.assertEqual(json.loads(block), self.module.Predictor.input_schema)

    def test_the_loss_falls_over_forward_backward_and_optim_step(self):
        created = self.p.predict(session_id=A, op="create", args={"lora_config": {"rank": 4}})
        self.assertEqual(created["model_id"], A)
        losses = []
        for _ in range(4):
            losses.append(self.p.predict(session_id=A, op="forward_backward", args=self.fb)["loss"])
            step = self.p.predict(session_id=A, op="optim_step", args={"adam_params": {"learning_rate": 0.02}})
            self.assertEqual(step["type"], "optim_step")
        self.assertLess(losses[-1], losses[0] * 0.9, losses)
        out = self.p.predict(session_id=A, op="forward", args={"forward_input": self.fb["forward_backward_input"]})
        self.assertEqual(out["loss_fn_outputs"][0]["logprobs"]["shape"], [len(out["loss_fn_outputs"][0]["logprobs"]["data"])])

    def test_two_sessions_never_share_state(self):
        self.p.predict(session_id=A, op="create", args={"lora_config": {"rank": 4}})
        self.p.predict(session_id=B, op="create", args={"lora_config": {"rank": 4}})
        before = self.p.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        for _ in range(3):
            self.p.predict(session_id=A, op="forward_backward", args=self.fb)
            self.p.predict(session_id=A, op="optim_step", args={"adam_params": {"learning_rate": 0.05}})
        after = self.p.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.assertEqual(before, after, "training A moved B")

    def test_an_unknown_session_is_lost_never_fresh(self):
        with self.assertRaises(self.module.SessionLost) as raised:
            self.p.predict(session_id=A, op="forward_backward", args=self.fb)
        self.assertTrue(str(raised.exception).startswith("ERR_SESSION_LOST: "), str(raised.exception))
        self.assertEqual(self.p.sessions, {}, "nothing was created for the lost session")

    def test_save_and_load_weights_restore_the_state_and_the_sampler_file_is_one_packed_adapter(self):
        self.p.predict(session_id=A, op="create", args={"lora_config": {"rank": 4}})
        saved = self.p.predict(session_id=A, op="save_weights", args={"path": "start"})
        self.assertEqual(saved["path"], f"hangar://{A}/weights/start")
        start = self.p.predict(session_id=A, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.p.predict(session_id=A, op="forward_backward", args=self.fb)
        self.p.predict(session_id=A, op="optim_step", args={"adam_params": {"learning_rate": 0.05}})
        sampler = self.p.predict(session_id=A, op="save_weights_for_sampler", args={"path": "s1"})
        self.assertTrue((self.out / "sampler_weights" / "s1.hlora").is_file(), sampler)
        self.p.predict(session_id=A, op="load_weights", args={"path": saved["path"]})
        again = self.p.predict(session_id=A, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.assertAlmostEqual(start, again, places=5)
        with self.assertRaises(ValueError):
            self.p.predict(session_id=A, op="save_weights", args={"path": "../escape"})
        with self.assertRaises(ValueError):
            self.p.predict(session_id=A, op="load_weights", args={"path": f"hangar://{B}/weights/start"})

    def test_close_drops_the_state(self):
        self.p.predict(session_id=A, op="create", args={})
        self.assertTrue(self.p.predict(session_id=A, op="close")["held"])
        with self.assertRaises(self.module.SessionLost):
            self.p.predict(session_id=A, op="optim_step", args={})

    def test_a_new_process_loads_another_sessions_weights_from_their_files(self):
        """What load_weights of another session's checkpoint does: the gateway hands the saved files
        as input attachments to a different process; the loaded session then computes the same loss."""
        self.p.predict(session_id=A, op="create", args={"lora_config": {"rank": 4, "seed": 1}})
        for _ in range(3):
            self.p.predict(session_id=A, op="forward_backward", args=self.fb)
            self.p.predict(session_id=A, op="optim_step", args={"adam_params": {"learning_rate": 0.05}})
        trained = self.p.predict(session_id=A, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.p.predict(session_id=A, op="save_weights", args={"path": "w3"})
        files = {p.name: str(p) for p in (self.out / "weights" / "w3").iterdir()}
        self.assertEqual(set(files), self.module.CHECKPOINT_FILES)

        other = self.module.Predictor()
        other.setup()  # another container: nothing of A's in its memory
        other.predict(session_id=B, op="create", args={"lora_config": {"rank": 4, "seed": 7}})
        base = other.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        path = f"hangar://{A}/weights/w3"
        loaded = other.predict(session_id=B, op="load_weights",
                               args={"path": path, "optimizer": True, "checkpoint": {"path": path, "files": files}})
        self.assertEqual(loaded, {"type": "load_weights", "path": path})
        after = other.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.assertAlmostEqual(trained, after, places=5)
        self.assertGreater(abs(base - trained), 1e-3, "the trained loss must differ from the base model's for this to prove anything")
        self.assertEqual(other.sessions[B].session.steps, 3, "the optimizer state and step count came along")
        # the next optim step continues from the loaded Adam moments exactly as A's does
        for p in (self.p, other):
            p.predict(session_id=A if p is self.p else B, op="forward_backward", args=self.fb)
            p.predict(session_id=A if p is self.p else B, op="optim_step", args={"adam_params": {"learning_rate": 0.05}})
        a = self.p.predict(session_id=A, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        b = other.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.assertAlmostEqual(a, b, places=5)

    def test_loading_weights_of_another_rank_base_model_or_without_optimizer_state_fails_clearly(self):
        self.p.predict(session_id=A, op="create", args={"lora_config": {"rank": 4}})
        self.p.predict(session_id=A, op="save_weights", args={"path": "w"})
        folder = self.out / "weights" / "w"
        files = {p.name: str(p) for p in folder.iterdir()}
        path = f"hangar://{A}/weights/w"
        other = self.module.Predictor()
        other.setup()
        other.predict(session_id=B, op="create", args={"lora_config": {"rank": 8}})
        before = other.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        with self.assertRaisesRegex(ValueError, "rank 4.*does not fit.*rank 8"):
            other.predict(session_id=B, op="load_weights", args={"path": path, "checkpoint": {"path": path, "files": files}})

        C = "ts_" + "c" * 24
        other.predict(session_id=C, op="create", args={"lora_config": {"rank": 4}})
        foreign = Path(tempfile.mkdtemp())
        config = json.loads((folder / "adapter_config.json").read_text())
        config["base_model"] = "someone/else-lm"
        (foreign / "adapter_config.json").write_text(json.dumps(config))
        moved = dict(files, **{"adapter_config.json": str(foreign / "adapter_config.json")})
        with self.assertRaisesRegex(ValueError, "trained on base model someone/else-lm"):
            other.predict(session_id=C, op="load_weights", args={"path": path, "checkpoint": {"path": path, "files": moved}})
        adapter_only = {k: v for k, v in files.items() if k in ("adapter_config.json", "adapter.pt")}
        with self.assertRaisesRegex(ValueError, "no optimizer state"):
            other.predict(session_id=C, op="load_weights",
                          args={"path": path, "optimizer": True, "checkpoint": {"path": path, "files": adapter_only}})
        with self.assertRaisesRegex(ValueError, "unexpected file"):
            other.predict(session_id=C, op="load_weights",
                          args={"path": path, "checkpoint": {"path": path, "files": dict(files, **{"../x": files["adapter.pt"]})}})
        after = other.predict(session_id=B, op="forward", args={"forward_input": self.fb["forward_backward_input"]})["loss"]
        self.assertEqual(before, after, "a refused load changed nothing")
        other.predict(session_id=C, op="load_weights",
                      args={"path": path, "optimizer": False, "checkpoint": {"path": path, "files": adapter_only}})

    def test_a_name_is_saved_once_per_session(self):
        self.p.predict(session_id=A, op="create", args={"lora_config": {"rank": 4}})
        self.p.predict(session_id=A, op="save_weights", args={"path": "w"})
        with self.assertRaisesRegex(ValueError, "already saved weights named 'w'"):
            self.p.predict(session_id=A, op="save_weights", args={"path": "w"})
        self.p.predict(session_id=A, op="save_weights_for_sampler", args={"path": "w"})  # another kind, another checkpoint
