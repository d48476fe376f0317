import tempfile
import unittest

import torch

from hangar_lm import ModelConfig, load_model, save_model
from hangar_lm.checkpoint import WEIGHTS_FILE

from tests.helpers import saved_tiny_model, tiny_model, tokenizer


class ModelTest(unittest.TestCase):
    def test_forward_shapes(self):
        model = tiny_model()
        logits = model(torch.randint(0, 1024, (3, 11)))
        self.assertEqual(tuple(logits.shape), (3, 11, 1024))

    def test_is_causal(self):
        model = tiny_model()
        x = torch.randint(0, 1024, (1, 10))
        y = x.clone()
        y[0, 7:] = (y[0, 7:] + 1) % 1024
        torch.testing.assert_close(model(x)[0, :7], model(y)[0, :7])

    def test_save_load_round_trip_gives_identical_logits(self):
        model = tiny_model(seed=3)
        directory = tempfile.mkdtemp()
        save_model(directory, model, tokenizer(), name="test/tiny")
        loaded, tok, meta = load_model(directory)
        x = torch.randint(0, 1024, (2, 9))
        self.assertTrue(torch.equal(model(x), loaded(x)))
        self.assertEqual(meta["name"], "test/tiny")
        self.assertIs(loaded.lm_head.weight, loaded.embed.weight)  # still tied after loading

    def test_untied_model_round_trips(self):
        model = tiny_model(seed=4, tie_embeddings=False)
        directory = tempfile.mkdtemp()
        save_model(directory, model, tokenizer())
        loaded, _, _ = load_model(directory)
        x = torch.randint(0, 1024, (1, 5))
        self.assertTrue(torch.equal(model(x), loaded(x)))

    def test_weights_file_holds_tensors_only(self):
        directory = saved_tiny_model()
        state = torch.load(directory / WEIGHTS_FILE, weights_only=True)
        self.assertTrue(all(isinstance(v, torch.Tensor) for v in state.values()))

    def test_config_rejects_unknown_keys_and_bad_shapes(self):
        with self.assertRaisesRegex(ValueError, "unknown model config keys"):
            ModelConfig.from_dict({**ModelConfig.tiny().to_dict(), "n_experts": 8})
        with self.assertRaisesRegex(ValueError, "heads"):
            ModelConfig(d_model=30, n_heads=4)

    def test_kv_cache_matches_full_forward(self):
        model = tiny_model()
        x = torch.randint(0, 1024, (2, 12))
        full = model(x)
        cache = model.new_cache()
        parts = [model(x[:, :5], cache=cache)] + [model(x[:, i:i + 1], cache=cache) for i in range(5, 12)]
        torch.testing.assert_close(torch.cat(parts, dim=1), full, atol=1e-5, rtol=1e-5)


if __name__ == "__main__":
    unittest.main()
