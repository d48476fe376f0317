"""The processor in mock mode, through the real Hangar runtime's Processor class (skipped when
the runtime's Python package is not beside this folder, e.g. in the image)."""

import json
import os
import sys
import unittest
from pathlib import Path

from tests.helpers import ROOT

RUNTIME = ROOT.parents[1] / "runtime" / "python"


@unittest.skipUnless((RUNTIME / "hangar_runtime").is_dir(), "the Hangar runtime package is not here")
class ProcessorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, str(RUNTIME))
        os.environ["HANGAR_MODE"] = "mock"
        import predict
        cls.predict = predict
        cls.processor = predict.Predictor()
        cls.processor.setup()

    def test_spec_schema_matches_the_class(self):
        text = (ROOT / "hangar.yaml").read_text(encoding="utf-8")
        block = text.split("inputs_schema:\n", 1)[1].split("\noutputs:", 1)[0]
        self.assertEqual(json.loads(block), self.predict.Predictor.input_schema)

    def test_mock_is_deterministic_and_streams_the_tokens(self):
        streamed = []
        self.processor.emit_token = streamed.append
        a = self.processor.predict(prompt="A penny saved", max_tokens=8, num_samples=2)
        b = self.processor.predict(prompt="A penny saved", max_tokens=8, num_samples=2)
        self.assertEqual(a, b)
        self.assertEqual(a["type"], "sample")
        self.assertEqual("".join(streamed[:8]), a["sequences"][0]["text"])
        self.assertEqual(len(a["sequences"]), 2)

    def test_real_mode_samples_the_base_model_and_an_adapter(self):
        import tempfile

        from hangar_lm import AdamParams, LoraConfig, TrainingSession
        from tests.test_lora import data

        base = ROOT / "weights" / "tiny-lm-base"
        env = {"HANGAR_MODE": "real", "HANGAR_LM_MODEL": str(base)}
        real = self._processor(env)
        out = real.predict(prompt="A penny saved", max_tokens=12, seed=4)
        self.assertEqual(out, real.predict(prompt="A penny saved", max_tokens=12, seed=4))
        session = TrainingSession.create(base, LoraConfig(rank=2, seed=0))
        for _ in range(3):
            session.forward_backward(data())
            session.optim_step(AdamParams(learning_rate=1e-2))
        adapter = session.save_for_sampler(tempfile.mkdtemp())
        tuned = self._processor({**env, "HANGAR_LM_ADAPTER": str(adapter)})
        tuned_out = tuned.predict(prompt="A penny saved", max_tokens=12, seed=4, temperature=0)
        self.assertNotEqual(tuned_out["sequences"][0]["logprobs"],
                            real.predict(prompt="A penny saved", max_tokens=12, seed=4, temperature=0)["sequences"][0]["logprobs"])

    def _processor(self, env):
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            processor = self.predict.Predictor()
            processor.setup()
            return processor
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_train_run_in_mock_mode_saves_checkpoints_and_reports_every_step(self):
        import tempfile

        out = Path(tempfile.mkdtemp())
        os.environ["HANGAR_OUTPUT_DIR"] = str(out)
        self.addCleanup(os.environ.pop, "HANGAR_OUTPUT_DIR", None)
        reported = []
        self.processor.progress = lambda fraction, message=None: reported.append(message)
        examples = [{"prompt": f"Tower, {c} ready.", "completion": f" {c}, cleared."} for c in ["Kilo", "Lima", "Mike"] * 3]
        result = self.processor.train(steps=4, examples=examples, rank=2, checkpoint_every=2, batch_size=4)
        self.assertEqual(result["checkpoints"], ["sampler_weights/step-2", "sampler_weights/step-4"])
        self.assertEqual(len(reported), 4)
        self.assertTrue((out / "weights" / "final" / "optimizer.pt").is_file())
        self.assertEqual(result["base_model"], "hangar/tiny-lm-mock")
        from hangar_lm.finetune import DatasetError
        with self.assertRaisesRegex(DatasetError, r"examples\[1\]"):
            self.processor.train(steps=1, examples=[{"text": "ok"}, {"prompt": "only"}])
        with self.assertRaisesRegex(ValueError, "exactly one"):
            self.processor.train(steps=1)

    def test_an_adapter_input_samples_the_tuned_model_and_stays_loaded(self):
        import shutil
        import tempfile

        from hangar_lm import AdamParams, LoraConfig, TrainingSession
        from hangar_lm.lora import pack_adapter
        from tests.test_lora import data

        processor = self._processor({"HANGAR_MODE": "mock"})
        session = TrainingSession.create(processor.base_dir, LoraConfig(rank=2, seed=0))
        for _ in range(3):
            session.forward_backward(data())
            session.optim_step(AdamParams(learning_rate=5e-2))
        folder = Path(tempfile.mkdtemp())
        packed = pack_adapter(session.save_for_sampler(folder / "ckpt"), folder / "a.hlora")
        args = dict(prompt="A penny saved", max_tokens=6, temperature=0)
        base = processor.predict(**args)
        tuned = processor.predict(**args, adapter=str(packed))
        self.assertNotEqual(base["sequences"][0]["logprobs"], tuned["sequences"][0]["logprobs"])
        copy = shutil.copy(packed, folder / "same-content.hlora")  # another run's attachment path, same bytes
        self.assertEqual(tuned, processor.predict(**args, adapter=str(copy)))
        self.assertEqual(base, processor.predict(**args), "the base model is untouched by the adapter")
        self.assertEqual(processor.adapters.loads, 1, "an adapter already loaded is not loaded again")
        with self.assertRaisesRegex(ValueError, "no such file"):
            processor.predict(**args, adapter=str(folder / "missing.hlora"))
        real_session = TrainingSession.create(ROOT / "weights" / "tiny-lm-base", LoraConfig(rank=2, seed=0))
        other = pack_adapter(real_session.save_for_sampler(folder / "real"), folder / "real.hlora")
        with self.assertRaisesRegex(ValueError, "does not fit this base model"):
            processor.predict(**args, adapter=str(other))

    def test_concurrent_predictions_are_batched_and_match_sampling_alone(self):
        import threading

        alone = self._processor({"HANGAR_MODE": "mock"})
        batched = self._processor({"HANGAR_MODE": "mock", "HANGAR_MAX_CONCURRENCY": "8", "HANGAR_LM_BATCH_WAIT_MS": "200"})
        self.assertIsNone(alone.adapters.base[1], "one prediction at a time: no batcher")
        prompts = [f"Fortune {i}:" for i in range(6)]
        results, gate = [None] * 6, threading.Barrier(6)

        def caller(i):
            gate.wait()
            results[i] = batched.predict(prompt=prompts[i], max_tokens=5, seed=i, stop=[])

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertLess(batched.adapters.base[1].batches_run, 6, "concurrent predictions shared forward passes")
        for i, result in enumerate(results):
            self.assertEqual(result["sequences"][0]["tokens"],
                             alone.predict(prompt=prompts[i], max_tokens=5, seed=i, stop=[])["sequences"][0]["tokens"])

    def test_tokens_prompt_and_errors(self):
        out = self.processor.predict(prompt_tokens=[1, 50, 60], max_tokens=3, temperature=0, prompt_logprobs=True)
        self.assertEqual(out["prompt_tokens"], [1, 50, 60])
        self.assertIsNone(out["prompt_logprobs"][0])
        with self.assertRaisesRegex(ValueError, "exactly one"):
            self.processor.predict(max_tokens=3)


if __name__ == "__main__":
    unittest.main()
