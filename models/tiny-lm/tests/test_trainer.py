"""The training processor hangar/tiny-lm-train@1 (train/trainer.py) in mock mode, through the
real Hangar runtime's Processor class (skipped when the runtime package is not beside this folder)."""

import json
import os
import re
import sys
import tempfile
import unittest
from pathlib import Path

from tests.helpers import ROOT

RUNTIME = ROOT.parents[1] / "runtime" / "python"
STEP = re.compile(r"step (\d+)/(\d+) loss (-?\d+\.\d+)")  # TrainingStep in contracts reads the same


@unittest.skipUnless((RUNTIME / "hangar_runtime").is_dir(), "the Hangar runtime package is not here")
class TrainerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, str(RUNTIME))
        sys.path.insert(0, str(ROOT / "train"))
        os.environ["HANGAR_MODE"] = "mock"
        import trainer
        cls.trainer = trainer
        cls.processor = trainer.Predictor()
        cls.processor.setup()

    def test_spec_schema_matches_the_class(self):
        text = (ROOT / "train" / "hangar.yaml").read_text(encoding="utf-8")
        block = text.split("inputs_schema:\n", 1)[1].split("\noutputs:", 1)[0]
        self.assertEqual(json.loads(block), self.trainer.Predictor.input_schema)
        self.assertEqual(self.trainer.Predictor.input_schema["properties"]["rank"]["default"], 32)

    def test_trains_streams_the_loss_and_writes_packed_checkpoints(self):
        from hangar_lm import load_sampler
        data = Path(tempfile.mkdtemp()) / "data.jsonl"
        data.write_text("".join(json.dumps({"prompt": f"Tower, flight {i}:", "completion": " cleared to land."}) + "\n"
                                for i in range(12)), encoding="utf-8")
        out = Path(tempfile.mkdtemp())
        reported = []
        self.processor.progress = lambda fraction, message=None: reported.append((fraction, message))
        os.environ["HANGAR_OUTPUT_DIR"] = str(out)
        try:
            result = self.processor.predict(dataset=str(data), steps=8, rank=4, learning_rate=2e-2, batch_size=4,
                                            checkpoint_every=4)
        finally:
            del os.environ["HANGAR_OUTPUT_DIR"]
        steps = [STEP.fullmatch(m) for _, m in reported]
        self.assertTrue(all(steps), reported)
        self.assertEqual([int(s.group(1)) for s in steps], list(range(1, 9)))
        losses = [float(s.group(3)) for s in steps]
        self.assertLess(sum(losses[-2:]) / 2, sum(losses[:2]) / 2, losses)
        self.assertEqual(result["checkpoints"], ["sampler_weights/step-4.hlora", "sampler_weights/step-8.hlora"])
        self.assertEqual(sorted(p.name for p in (out / "sampler_weights").iterdir()), ["step-4.hlora", "step-8.hlora"])
        self.assertTrue((out / "weights" / "final" / "optimizer.pt").is_file())
        self.assertEqual(json.loads((out / "result.json").read_text())["lora"]["rank"], 4)
        base = load_sampler(self.processor.base_dir)
        tuned = load_sampler(self.processor.base_dir, out / "sampler_weights" / "step-8.hlora")
        changed = [name for name, w in tuned.model.state_dict().items() if not w.equal(base.model.state_dict()[name])]
        self.assertTrue(changed, "the packed adapter changed no weight of the base")

    def test_zero_steps_saves_the_starting_adapter_and_an_adapter_input_is_the_start(self):
        out = Path(tempfile.mkdtemp())
        os.environ["HANGAR_OUTPUT_DIR"] = str(out)
        try:
            fresh = self.processor.predict(steps=0, rank=3, seed=5)
            self.assertEqual(fresh["checkpoints"], ["sampler_weights/step-0.hlora"])
            self.assertEqual(fresh["losses"], [])
            again = Path(tempfile.mkdtemp())
            os.environ["HANGAR_OUTPUT_DIR"] = str(again)
            saved = self.processor.predict(steps=0, adapter=str(out / "sampler_weights" / "step-0.hlora"), rank=9)
        finally:
            del os.environ["HANGAR_OUTPUT_DIR"]
        self.assertEqual(saved["lora"]["rank"], 3)  # the adapter's configuration, not the rank asked
        self.assertEqual(saved["lora"]["seed"], 5)
        with self.assertRaisesRegex(ValueError, "a dataset is required"):
            self.processor.predict(steps=2)

    def test_refuses_a_run_that_trains_nothing(self):
        with self.assertRaisesRegex(ValueError, "at least one"):
            self.processor.predict(steps=1, dataset="x.jsonl", train_mlp=False, train_attn=False, train_unembed=False)
