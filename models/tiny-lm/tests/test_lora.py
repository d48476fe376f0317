import tempfile
import unittest
from pathlib import Path

import torch

from hangar_lm import AdamParams, Datum, LoraConfig, TrainingSession, load_model, load_sampler
from hangar_lm.lora import LoRALinear, apply_lora, load_adapter, merge_lora, pack_adapter
from hangar_lm.sampling import SampleRequest, SamplingParams

from tests.helpers import saved_tiny_model, tiny_model, tokenizer

TEXTS = ["The tower clears flight seven to land.", "Flight seven, wind calm, runway two."]


def data(texts=TEXTS):
    tok = tokenizer()
    out = []
    for text in texts:
        ids = tok.encode(text, bos=True, eos=True)
        out.append(Datum(ids[:-1], {"target_tokens": ids[1:], "weights": [1.0] * (len(ids) - 1)}))
    return out


def lora_names(model):
    return sorted(name for name, m in model.named_modules() if isinstance(m, LoRALinear))


class LoraTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base_dir = saved_tiny_model(seed=1)

    def session(self, **lora):
        return TrainingSession.create(self.base_dir, LoraConfig(**{"rank": 4, "seed": 0, **lora}))

    def test_zero_init_adapter_leaves_the_output_unchanged(self):
        base = tiny_model(seed=2)
        x = torch.randint(0, 1024, (2, 8))
        before = base(x)
        apply_lora(base, LoraConfig(rank=4, seed=0))
        self.assertTrue(torch.equal(before, base(x)))

    def test_flags_select_modules(self):
        cases = {
            (True, False, False): {"q_proj", "k_proj", "v_proj", "o_proj"},
            (False, True, False): {"up_proj", "down_proj"},
            (False, False, True): {"lm_head"},
            (True, True, True): {"q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj", "lm_head"},
        }
        for (attn, mlp, unembed), expected in cases.items():
            model = tiny_model()
            apply_lora(model, LoraConfig(rank=2, train_attn=attn, train_mlp=mlp, train_unembed=unembed))
            names = lora_names(model)
            self.assertEqual({n.split(".")[-1] for n in names}, expected)
            per_layer = len(expected - {"lm_head"})
            self.assertEqual(len(names), per_layer * model.config.n_layers + ("lm_head" in expected))
        with self.assertRaisesRegex(ValueError, "at least one"):
            LoraConfig(rank=2, train_attn=False, train_mlp=False, train_unembed=False)

    def test_only_adapters_are_trainable_and_change(self):
        s = self.session()
        frozen = {n: p.detach().clone() for n, p in s.model.named_parameters() if "lora_" not in n}
        self.assertTrue(all(not p.requires_grad for n, p in s.model.named_parameters() if "lora_" not in n))
        self.assertTrue(all(p.requires_grad for p in s.params))
        adapters = {n: p.detach().clone() for n, p in s.model.named_parameters() if "lora_b" in n}
        s.forward_backward(data())
        s.optim_step(AdamParams(learning_rate=5e-3))
        for n, p in s.model.named_parameters():
            if n in frozen:
                self.assertTrue(torch.equal(frozen[n], p), n)
        self.assertTrue(any(not torch.equal(adapters[n], p) for n, p in s.model.named_parameters() if n in adapters))

    def test_loss_falls_over_a_few_steps(self):
        s = self.session()
        losses = []
        for _ in range(8):
            losses.append(s.forward_backward(data()).loss)
            s.optim_step(AdamParams(learning_rate=5e-3))
        self.assertEqual(losses, sorted(losses, reverse=True))
        self.assertLess(losses[-1], losses[0] * 0.8, losses)
        self.assertAlmostEqual(s.forward(data()).loss, s.forward(data()).loss)  # forward changes nothing

    def test_cross_entropy_is_the_weighted_sum_of_target_logprobs(self):
        s = self.session()
        d = data()[:1]
        d[0].loss_fn_inputs["weights"] = [0.0] * 3 + [1.0] * (len(d[0].model_input) - 3)
        out = s.forward(d)
        lp = out.loss_fn_outputs[0]["logprobs"]
        self.assertAlmostEqual(out.loss, -sum(lp[3:]), places=4)
        self.assertEqual(len(lp), len(d[0].model_input))
        self.assertEqual(out.loss_fn_outputs[0]["elementwise_loss"][:3], [0.0, 0.0, 0.0])

    def test_importance_sampling_loss(self):
        s = self.session()
        d = data()[:1]
        n = len(d[0].model_input)
        lp = s.forward(d).loss_fn_outputs[0]["logprobs"]
        d[0].loss_fn_inputs.update(logprobs=lp, advantages=[2.0] * n)
        out = s.forward(d, "importance_sampling")  # sampler == learner: every ratio is 1
        self.assertAlmostEqual(out.loss, -2.0 * n, places=3)
        s.forward_backward(d, "importance_sampling")
        s.optim_step(AdamParams(learning_rate=5e-3))
        self.assertLess(s.forward(d, "importance_sampling").loss, -2.0 * n)  # positive advantage: more likely

    def test_gradients_accumulate_until_optim_step(self):
        one, two = self.session(), self.session()
        one.forward_backward(data())
        two.forward_backward(data()[:1])
        two.forward_backward(data()[1:])
        for a, b in zip(one.params, two.params):
            torch.testing.assert_close(a.grad, b.grad, atol=1e-5, rtol=1e-4)

    def test_save_and_load_state_resumes_exactly(self):
        s = self.session()
        for _ in range(2):
            s.forward_backward(data())
            s.optim_step(AdamParams(learning_rate=5e-3))
        directory = tempfile.mkdtemp()
        s.save_state(directory)
        resumed = self.session()
        resumed.load_state(directory)
        self.assertEqual(resumed.steps, 2)
        for target in (s, resumed):
            target.forward_backward(data())
            target.optim_step(AdamParams(learning_rate=5e-3))
        for a, b in zip(s.params, resumed.params):
            self.assertTrue(torch.equal(a, b))
        with self.assertRaisesRegex(ValueError, "rank 4.*does not fit.*rank 8"):
            self.session(rank=8).load_state(directory)

    def test_sampler_loads_base_plus_adapter(self):
        s = self.session()
        for _ in range(5):
            s.forward_backward(data())
            s.optim_step(AdamParams(learning_rate=5e-3))
        directory = tempfile.mkdtemp()
        s.save_for_sampler(directory)
        x = torch.tensor([data()[0].model_input])
        expected = s.model.eval()(x)
        for merge in (True, False):
            sampler = load_sampler(self.base_dir, directory, merge=merge)
            torch.testing.assert_close(sampler.model(x), expected, atol=1e-5, rtol=1e-5)
        packed = pack_adapter(directory, Path(tempfile.mkdtemp()) / "adapter.hlora")
        torch.testing.assert_close(load_sampler(self.base_dir, packed).model(x), expected, atol=1e-5, rtol=1e-5)
        base = load_sampler(self.base_dir)
        self.assertFalse(torch.allclose(base.model(x), expected, atol=1e-3))
        request = SampleRequest(data()[0].model_input[:4], SamplingParams(max_tokens=4, seed=0, temperature=0))
        self.assertEqual(len(load_sampler(self.base_dir, directory).sample(request).sequences[0].tokens), 4)

    def test_merge_into_a_tied_unembedding_leaves_the_embedding_alone(self):
        model, _, _ = load_model(self.base_dir)
        embedding = model.embed.weight.detach().clone()
        apply_lora(model, LoraConfig(rank=2, train_attn=False, train_mlp=False))
        with torch.no_grad():
            model.lm_head.lora_b.fill_(0.5)
        merge_lora(model)
        self.assertTrue(torch.equal(model.embed.weight, embedding))
        self.assertFalse(model.config.tie_embeddings)

    def test_invalid_data_is_refused(self):
        s = self.session()
        good = data()[0]
        cases = [
            ([], "at least one"),
            ([Datum(good.model_input, {"target_tokens": good.loss_fn_inputs["target_tokens"]})], "weights"),
            ([Datum(good.model_input, {"target_tokens": [1], "weights": [1.0]})], "values"),
            ([Datum([99999], {"target_tokens": [1], "weights": [1.0]})], "token ids"),
        ]
        for batch, word in cases:
            with self.assertRaisesRegex(ValueError, word):
                s.forward_backward(batch)
        with self.assertRaisesRegex(ValueError, "unknown loss_fn"):
            s.forward_backward([good], "ppo")
        with self.assertRaisesRegex(ValueError, "learning_rate"):
            s.optim_step(AdamParams(learning_rate=-1))

    def test_datum_reads_tinker_wire_shapes(self):
        wire = {"model_input": {"chunks": [{"type": "encoded_text", "tokens": [1, 5]}, {"type": "encoded_text", "tokens": [9]}]},
                "loss_fn_inputs": {"target_tokens": {"data": [5, 9, 2], "dtype": "int64", "shape": [3]},
                                   "weights": {"data": [0.0, 1.0, 1.0], "dtype": "float32", "shape": [3]}}}
        d = Datum.from_dict(wire)
        self.assertEqual((d.model_input, d.loss_fn_inputs["target_tokens"]), ([1, 5, 9], [5, 9, 2]))
        self.assertEqual(Datum.from_dict({"model_input": [1, 5], "loss_fn_inputs": {"weights": [1, 1]}}).model_input, [1, 5])
        with self.assertRaisesRegex(ValueError, "encoded_text"):
            Datum.from_dict({"model_input": {"chunks": [{"type": "image", "data": ""}]}, "loss_fn_inputs": {}})

    def test_a_packed_adapter_is_tensors_only_and_checked(self):
        s = self.session()
        directory = tempfile.mkdtemp()
        s.save_for_sampler(directory)
        packed = pack_adapter(directory, Path(directory) / "one.hlora")
        with self.assertRaisesRegex(ValueError, "not a hangar-lm adapter"):
            load_adapter(tiny_model(), Path(directory) / "adapter.pt")  # a bare state dict is not a packed adapter
        torch.save({"format": "hangar-lm-lora-file/1", "config": '{"format": "other"}', "tensors": {}}, packed)
        with self.assertRaisesRegex(ValueError, "expected 'hangar-lm-lora/1'"):
            load_adapter(tiny_model(), packed)

    def test_adapter_does_not_fit_another_shape(self):
        s = self.session()
        directory = tempfile.mkdtemp()
        s.save_for_sampler(directory)
        other = tiny_model(n_layers=3)
        with self.assertRaisesRegex(ValueError, "does not fit"):
            load_adapter(other, directory)


if __name__ == "__main__":
    unittest.main()
