"""The base-model pretraining processor hangar/tiny-lm-pretrain@1 (pretrain/predict.py) in mock
mode, through the real Hangar runtime's Processor class, on the fortunes of this machine."""

import csv
import importlib.util
import json
import os
import re
import sys
import tempfile
import unittest
from pathlib import Path

from tests.helpers import ROOT

RUNTIME = ROOT.parents[1] / "runtime" / "python"
FORTUNES = Path("/usr/share/games/fortunes")


@unittest.skipUnless((RUNTIME / "hangar_runtime").is_dir(), "the Hangar runtime package is not here")
@unittest.skipUnless(FORTUNES.is_dir(), "Debian's fortunes package is not installed")
class PretrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, str(RUNTIME))
        os.environ["HANGAR_MODE"] = "mock"
        # by its path: the sampling processor's module is also called predict
        spec = importlib.util.spec_from_file_location("tiny_lm_pretrain", ROOT / "pretrain" / "predict.py")
        pretrain = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pretrain)
        cls.module = pretrain
        cls.processor = pretrain.Predictor()
        cls.processor.setup()

    def test_spec_schema_matches_the_class(self):
        text = (ROOT / "pretrain" / "hangar.yaml").read_text(encoding="utf-8")
        block = text.split("inputs_schema:\n", 1)[1].split("\noutputs:", 1)[0]
        self.assertEqual(json.loads(block), self.module.Predictor.input_schema)

    def test_mock_mode_trains_the_tiny_model_and_writes_a_loadable_base_model(self):
        from hangar_lm import load_model
        out = Path(tempfile.mkdtemp())
        reported = []
        self.processor.progress = lambda fraction, message=None: reported.append((fraction, message))
        os.environ["HANGAR_OUTPUT_DIR"] = str(out)
        try:
            result = self.processor.predict(steps=4, config="default", batch_size=2, seq_len=32, eval_every=2)
        finally:
            del os.environ["HANGAR_OUTPUT_DIR"]
        self.assertEqual([m for _, m in reported][0][:9], "step 1/4 ")
        self.assertTrue(all(re.fullmatch(r"step \d/4 loss \d+\.\d+", m) for _, m in reported), reported)
        self.assertEqual([f for f, _ in reported], [0.25, 0.5, 0.75, 1.0])
        with open(out / "loss.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["step"] for r in rows], ["1", "2", "3", "4"])
        self.assertEqual(result["steps"], 4)
        summary = json.loads((out / "summary.json").read_text())
        self.assertEqual((summary["model"]["d_model"], summary["model"]["n_layers"]), (32, 2),
                         "mock mode trains the tiny test-size model, whatever config says")
        model, tokenizer, meta = load_model(out / "model")
        self.assertEqual(meta["name"], "hangar/tiny-lm")
        self.assertEqual(tokenizer.vocab_size, model.config.vocab_size)
        self.assertEqual(summary["parameters"], model.num_parameters())


if __name__ == "__main__":
    unittest.main()
