import json
import tempfile
import unittest
from pathlib import Path

from hangar_lm import AdamParams, LoraConfig, load_sampler
from hangar_lm.finetune import DatasetError, read_jsonl, to_datum, train_lora

from tests.helpers import saved_tiny_model, tokenizer


def write(lines) -> Path:
    path = Path(tempfile.mkdtemp()) / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class DatasetTest(unittest.TestCase):
    def test_accepts_both_shapes_and_skips_blank_lines(self):
        path = write(['{"prompt": "Q:", "completion": " A."}', "", '{"text": "just text"}'])
        examples = read_jsonl(path)
        self.assertEqual([(e.prompt, e.completion) for e in examples], [("Q:", " A."), ("", "just text")])

    def test_rejects_other_shapes_naming_the_line(self):
        cases = [
            ('{"prompt": "a"}', "expected keys"),
            ('{"prompt": "a", "completion": "b", "x": 1}', "expected keys"),
            ('{"text": 5}', "must be a string"),
            ('{"text": "  "}', "empty"),
            ('["a list"]', "expected a JSON object"),
            ('{"text": "unterminated', "not valid JSON"),
            ('{"prompt": "a", "completion": ""}', "empty"),
        ]
        for bad, word in cases:
            path = write(['{"text": "fine"}', bad])
            with self.assertRaises(DatasetError) as caught:
                read_jsonl(path)
            self.assertIn(f"{path}:2:", str(caught.exception))
            self.assertIn(word, str(caught.exception))
        with self.assertRaisesRegex(DatasetError, "no examples"):
            read_jsonl(write([""]))

    def test_datum_trains_on_the_completion_only(self):
        tok = tokenizer()
        [example] = read_jsonl(write(['{"prompt": "Tower:", "completion": " cleared to land."}']))
        d = to_datum(example, tok, 64)
        prompt_len = len(tok.encode("Tower:")) + 1
        self.assertEqual(d.loss_fn_inputs["weights"], [0.0] * (prompt_len - 1) + [1.0] * (len(d.model_input) - prompt_len + 1))
        self.assertEqual(d.loss_fn_inputs["target_tokens"][-1], tok.eos_id)
        self.assertEqual(d.model_input[1:], d.loss_fn_inputs["target_tokens"][:-1])
        with self.assertRaisesRegex(DatasetError, "longer than the model's context"):
            to_datum(example, tok, 4, "data.jsonl example 1")


class TrainLoraTest(unittest.TestCase):
    def test_loss_falls_and_the_tuned_model_prefers_held_out_examples(self):
        callsigns = ["alpha", "bravo", "delta", "echo", "golf", "hotel", "kilo", "lima", "mike", "oscar"]
        lines = [json.dumps({"prompt": f"Tower, {c} ready.", "completion": f" {c}, cleared for takeoff."})
                 for c in callsigns * 2]
        out = Path(tempfile.mkdtemp())
        steps = []
        base = saved_tiny_model(seed=5)
        result = train_lora(base, write(lines), 12, out, LoraConfig(rank=4, seed=0),
                            AdamParams(learning_rate=5e-3), batch_size=4, checkpoint_every=6,
                            on_step=lambda step, loss: steps.append((step, loss)))
        self.assertEqual([s for s, _ in steps], list(range(1, 13)))
        losses = result["losses"]
        self.assertLess(sum(losses[-3:]) / 3, sum(losses[:3]) / 3 * 0.8, losses)
        ev = result["eval"]
        self.assertEqual(ev["held_out_examples"], 2)
        self.assertGreater(ev["tuned_mean_logprob"], ev["base_mean_logprob"] + 0.5, ev)
        self.assertEqual([Path(c).name for c in result["checkpoints"]], ["step-6", "step-12"])
        self.assertTrue((out / "weights" / "final" / "optimizer.pt").is_file())
        load_sampler(base, out / "sampler_weights" / "step-12")  # the sampler checkpoint loads on top of its base


if __name__ == "__main__":
    unittest.main()
