"""The committed base model hangar/tiny-lm loads, samples reproducibly and beats a uniform guess."""

import math
import unittest

from hangar_lm import SampleRequest, SamplingParams, load_model, load_sampler
from hangar_lm.finetune import Example, mean_logprob, to_datum

from tests.helpers import ROOT

BASE = ROOT / "weights" / "tiny-lm-base"


class BaseModelTest(unittest.TestCase):
    def test_loads_with_its_config_and_tokenizer(self):
        model, tok, meta = load_model(BASE)
        self.assertEqual(meta["name"], "hangar/tiny-lm")
        self.assertEqual(model.num_parameters(), 788_736)
        self.assertEqual(tok.vocab_size, model.config.vocab_size)

    def test_same_seed_same_text(self):
        sampler = load_sampler(BASE)
        request = SampleRequest(sampler.tokenizer.encode("A penny saved", bos=True),
                                SamplingParams(max_tokens=20, temperature=0.8, seed=11))
        first, second = sampler.sample(request), sampler.sample(request)
        self.assertEqual(first.sequences[0].tokens, second.sequences[0].tokens)

    def test_knows_fortunes_better_than_a_uniform_guess(self):
        model, tok, _ = load_model(BASE)
        data = [to_datum(Example("", text), tok, model.config.max_seq_len) for text in [
            "You will be successful in your work.",
            "Q: How many programmers does it take to change a light bulb?\nA: None, that's a hardware problem.",
            "He who laughs last laughs best.\n\t\t-- Proverb",
        ]]
        self.assertGreater(mean_logprob(model, data), -math.log(tok.vocab_size) + 1.5)


if __name__ == "__main__":
    unittest.main()
