import threading
import unittest

from hangar_lm import SampleRequest, Sampler, SamplingParams
from hangar_lm.batching import RequestBatcher

from tests.helpers import sharpened, tiny_model, tokenizer


class RequestBatcherTest(unittest.TestCase):
    def test_concurrent_requests_share_passes_and_match_sampling_alone(self):
        sampler = Sampler(sharpened(tiny_model()), tokenizer())
        tok = tokenizer()
        requests = [SampleRequest(tok.encode(f"Fortune {i}:", bos=True), SamplingParams(max_tokens=6, seed=i, stop=[]))
                    for i in range(8)]
        batcher = RequestBatcher(sampler, max_batch=8, max_wait_s=0.2)
        futures, streamed = [None] * 8, [[] for _ in range(8)]
        gate = threading.Barrier(8)

        def caller(i):
            gate.wait()
            futures[i] = batcher.submit(requests[i], lambda r, s, t, text: streamed[i].append(t))

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results = [f.result(timeout=30) for f in futures]
        batcher.close()
        self.assertLess(batcher.batches_run, 8)
        for request, result, tokens in zip(requests, results, streamed):
            self.assertEqual(result.sequences[0].tokens, sampler.sample(request).sequences[0].tokens)
            self.assertEqual(tokens, result.sequences[0].tokens)

    def test_a_bad_request_fails_alone(self):
        batcher = RequestBatcher(Sampler(tiny_model(), tokenizer()))
        with self.assertRaisesRegex(ValueError, "top_p"):
            batcher.submit(SampleRequest([1, 2], SamplingParams(top_p=2.0)))
        good = batcher.submit(SampleRequest([1, 2], SamplingParams(max_tokens=2, seed=0)))
        self.assertLessEqual(len(good.result(timeout=30).sequences[0].tokens), 2)
        batcher.close()


if __name__ == "__main__":
    unittest.main()
