import unittest

import torch
import torch.nn.functional as F

from hangar_lm import SampleRequest, Sampler, SamplingParams
from hangar_lm.sampling import sampling_distribution, sequence_seed

from tests.helpers import sharpened, tiny_model, tokenizer

PROMPT = tokenizer().encode("A penny saved is", bos=True)


def sampler(seed=0) -> Sampler:
    return Sampler(sharpened(tiny_model(seed)), tokenizer())


def request(prompt=PROMPT, **params) -> SampleRequest:
    num_samples = params.pop("num_samples", 1)
    return SampleRequest(list(prompt), SamplingParams(**{"max_tokens": 12, "stop": [], **params}), num_samples)


def next_logits(model, tokens):
    return model(torch.tensor([tokens]))[0, -1]


class SamplingTest(unittest.TestCase):
    def test_same_seed_same_tokens_and_each_sample_its_own_stream(self):
        s = sampler()
        a = s.sample(request(seed=7, num_samples=3))
        b = s.sample(request(seed=7, num_samples=3))
        self.assertEqual([q.tokens for q in a.sequences], [q.tokens for q in b.sequences])
        self.assertEqual(len({tuple(q.tokens) for q in a.sequences}), 3)  # not three copies
        c = s.sample(request(seed=8, num_samples=3))
        self.assertNotEqual([q.tokens for q in a.sequences], [q.tokens for q in c.sequences])

    def test_greedy_is_argmax_and_reports_model_logprob(self):
        s = sampler()
        out = s.sample(request(temperature=0.0, max_tokens=6)).sequences[0]
        tokens = list(PROMPT)
        for token, logprob in zip(out.tokens, out.logprobs):
            logits = next_logits(s.model, tokens)
            self.assertEqual(token, int(torch.argmax(logits)))
            self.assertAlmostEqual(logprob, float(F.log_softmax(logits, -1)[token]), places=4)
            tokens.append(token)

    def test_logprobs_are_those_of_the_sampling_distribution(self):
        s = sampler()
        for params in [dict(temperature=1.0), dict(temperature=0.7, top_k=20), dict(temperature=1.3, top_p=0.8)]:
            out = s.sample(request(seed=1, max_tokens=8, **params)).sequences[0]
            tokens = list(PROMPT)
            for token, logprob in zip(out.tokens, out.logprobs):
                dist = sampling_distribution(next_logits(s.model, tokens), params["temperature"],
                                             params.get("top_k", -1), params.get("top_p", 1.0))
                self.assertAlmostEqual(logprob, float(dist[token]), places=4, msg=str(params))
                tokens.append(token)

    def test_default_params_logprobs_equal_the_model_log_softmax(self):
        s = sampler()
        out = s.sample(request(seed=2, max_tokens=5)).sequences[0]
        logits = next_logits(s.model, list(PROMPT))
        self.assertAlmostEqual(out.logprobs[0], float(F.log_softmax(logits, -1)[out.tokens[0]]), places=4)

    def test_top_k_restricts_the_support(self):
        s = sampler()
        logits = next_logits(s.model, list(PROMPT))
        allowed = set(torch.topk(logits, 3).indices.tolist())
        firsts = {s.sample(request(seed=i, max_tokens=1, top_k=3, temperature=2.0)).sequences[0].tokens[0]
                  for i in range(40)}
        self.assertTrue(firsts <= allowed, (firsts, allowed))
        self.assertGreater(len(firsts), 1)

    def test_top_p_restricts_the_support(self):
        logits = torch.tensor([3.0, 2.0, 1.0, -1.0, -3.0])
        dist = sampling_distribution(logits, 1.0, -1, 0.8).exp()
        probs = F.softmax(logits, -1)
        self.assertGreaterEqual(float(probs[0] + probs[1]), 0.8 - 1e-6)  # the smallest set reaching 0.8
        self.assertEqual((dist > 0).tolist(), [True, True, False, False, False])
        self.assertAlmostEqual(float(dist.sum()), 1.0, places=5)
        self.assertEqual((sampling_distribution(logits, 1.0, -1, 0.01).exp() > 0).sum().item(), 1)

    def test_stop_token_ids_and_strings(self):
        s = sampler()
        free = s.sample(request(seed=5, max_tokens=12)).sequences[0]
        self.assertEqual(free.stop_reason, "length")
        self.assertEqual(len(free.tokens), 12)
        stop_id = free.tokens[4]
        first = free.tokens.index(stop_id)
        by_id = s.sample(request(seed=5, max_tokens=12, stop=[stop_id])).sequences[0]
        self.assertEqual((by_id.tokens, by_id.stop_reason), (free.tokens[:first + 1], "stop"))
        text = tokenizer().decode(free.tokens)
        needle = text[len(tokenizer().decode(free.tokens[:6])):][:2] or text[-2:]
        by_text = s.sample(request(seed=5, max_tokens=12, stop=[needle])).sequences[0]
        self.assertEqual(by_text.stop_reason, "stop")
        self.assertIn(needle, tokenizer().decode(by_text.tokens))
        self.assertNotIn(needle, tokenizer().decode(by_text.tokens[:-1]))
        self.assertEqual(by_text.tokens, free.tokens[:len(by_text.tokens)])

    def test_eos_stops_unless_stop_is_empty(self):
        s = sampler()
        eos = tokenizer().eos_id
        # make EOS overwhelmingly likely at every step
        logits_hook = s.model.lm_head.register_forward_hook(lambda m, i, o: o.index_fill(-1, torch.tensor([eos]), 1e4))
        try:
            stopped = s.sample(SampleRequest(list(PROMPT), SamplingParams(max_tokens=5, seed=0))).sequences[0]
            self.assertEqual((stopped.tokens, stopped.stop_reason), ([eos], "stop"))
            running = s.sample(SampleRequest(list(PROMPT), SamplingParams(max_tokens=5, seed=0, stop=[]))).sequences[0]
            self.assertEqual((len(running.tokens), running.stop_reason), (5, "length"))
        finally:
            logits_hook.remove()

    def test_prompt_logprobs_and_topk(self):
        s = sampler()
        r = request(seed=0, max_tokens=2)
        r.prompt_logprobs, r.topk_prompt_logprobs = True, 3
        out = s.sample(r)
        logp = F.log_softmax(s.model(torch.tensor([PROMPT]))[0], -1)
        self.assertIsNone(out.prompt_logprobs[0])
        self.assertEqual(len(out.prompt_logprobs), len(PROMPT))
        for i in range(1, len(PROMPT)):
            self.assertAlmostEqual(out.prompt_logprobs[i], float(logp[i - 1, PROMPT[i]]), places=4)
            top = torch.topk(logp[i - 1], 3)
            self.assertEqual([t for t, _ in out.topk_prompt_logprobs[i]], top.indices.tolist())
        self.assertIsNone(out.topk_prompt_logprobs[0])
        self.assertEqual(out.to_dict()["type"], "sample")

    def test_cached_generation_equals_recomputing_everything(self):
        s = sampler()
        out = s.sample(request(seed=3, max_tokens=10, temperature=0.9)).sequences[0]
        gen = torch.Generator().manual_seed(sequence_seed(3, 0))  # what sequence 0 of seed 3 draws from
        tokens = list(PROMPT)
        for _ in range(10):  # no cache: the whole sequence through the model each step
            dist = sampling_distribution(next_logits(s.model, tokens), 0.9, -1, 1.0)
            tokens.append(int(torch.multinomial(dist.exp(), 1, generator=gen)))
        self.assertEqual(out.tokens, tokens[len(PROMPT):])

    def test_batched_equals_unbatched(self):
        s = sampler()
        tok = tokenizer()
        prompts = [tok.encode(t, bos=True) for t in ["Hi", "A penny saved is a penny", "Why?", "Do or do not; there is no try"]]
        requests = [request(p, seed=10 + i, temperature=1.0, num_samples=2, max_tokens=8 + i) for i, p in enumerate(prompts)]
        requests[1].prompt_logprobs = True
        batched = s.sample_many(requests)
        for r, b in zip(requests, batched):
            alone = s.sample(r)
            self.assertEqual([q.tokens for q in alone.sequences], [q.tokens for q in b.sequences])
            for qa, qb in zip(alone.sequences, b.sequences):
                torch.testing.assert_close(torch.tensor(qa.logprobs), torch.tensor(qb.logprobs), atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(torch.tensor(batched[1].prompt_logprobs[1:]),
                                   torch.tensor(s.sample(requests[1]).prompt_logprobs[1:]), atol=1e-4, rtol=1e-4)

    def test_streams_every_token_in_order(self):
        s = sampler()
        seen = []
        out = s.sample(request(seed=4, max_tokens=7), on_token=lambda r, i, t, text: seen.append((r, i, t, text)))
        self.assertEqual([t for _, _, t, _ in seen], out.sequences[0].tokens)
        self.assertEqual("".join(text for *_, text in seen), tokenizer().decode(out.sequences[0].tokens))

    def test_streaming_holds_back_a_character_split_across_byte_tokens(self):
        s = sampler()
        schedule = tokenizer().encode("漢字 ok")
        self.assertGreater(len(schedule), 4)  # 漢 and 字 are byte-fallback tokens, three each
        calls = []

        def force(module, inputs, logits):  # the next scheduled token becomes the argmax
            step = min(len(calls), len(schedule) - 1)
            calls.append(step)
            return logits.index_fill(-1, torch.tensor([schedule[step]]), 1e4)

        hook = s.model.lm_head.register_forward_hook(force)
        try:
            pieces = []
            out = s.sample(SampleRequest(list(PROMPT), SamplingParams(max_tokens=len(schedule), temperature=0, stop=[])),
                           on_token=lambda r, i, t, text: pieces.append(text))
        finally:
            hook.remove()
        self.assertEqual(out.sequences[0].tokens, schedule)
        self.assertEqual("".join(pieces), "漢字 ok")
        self.assertFalse(any("\ufffd" in piece for piece in pieces), pieces)

    def test_invalid_requests_say_what_to_fix(self):
        s = sampler()
        cases = [(dict(temperature=-1), "temperature"), (dict(top_k=0), "top_k"), (dict(top_p=0), "top_p"),
                 (dict(max_tokens=0), "max_tokens"), (dict(max_tokens=100), "context"), (dict(stop=[1, "x"]), "stop")]
        for params, word in cases:
            with self.assertRaisesRegex(ValueError, word):
                s.sample(request(**params))
        with self.assertRaisesRegex(ValueError, "prompt"):
            s.sample(request(prompt=[5000]))


if __name__ == "__main__":
    unittest.main()
