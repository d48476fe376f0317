"""Batches sampling requests that arrive concurrently into shared forward passes.

A warm sampling container gets requests from many callers at once. `RequestBatcher.submit`
queues one and returns a Future; a single worker thread takes whatever is queued (waiting at
most `max_wait_s` for company, at most `max_batch` sequences) and samples it with one
`Sampler.sample_many`. Requests arriving while a batch runs form the next one (no joining a
batch in flight). Per-sequence seeds make the results the same as sampling each alone.
"""

import queue
import threading
from concurrent.futures import Future
from typing import Optional

from .sampling import SampleRequest, Sampler, TokenCallback


class RequestBatcher:
    def __init__(self, sampler: Sampler, max_batch: int = 16, max_wait_s: float = 0.005):
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self.sampler, self.max_batch, self.max_wait_s = sampler, max_batch, max_wait_s
        self._queue: "queue.Queue" = queue.Queue()
        self.batches_run = 0
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="hangar-lm-batcher", daemon=True)
        self._worker.start()

    def submit(self, request: SampleRequest, on_token: Optional[TokenCallback] = None) -> Future:
        """Queues a request; the Future yields its SampleResponse (or the ValueError it raised).
        on_token is called from the worker thread as (0, sample index, token id, text)."""
        if self._closed:
            raise RuntimeError("the batcher is closed")
        self.sampler._validate(request)  # a bad request fails alone, never its batch
        future: Future = Future()
        self._queue.put((request, on_token, future))
        return future

    def close(self) -> None:
        self._closed = True
        self._queue.put(None)
        self._worker.join()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch, size = [item], item[0].num_samples
            try:
                while size < self.max_batch:
                    nxt = self._queue.get(timeout=self.max_wait_s)
                    if nxt is None:
                        self._queue.put(None)
                        break
                    batch.append(nxt)
                    size += nxt[0].num_samples
            except queue.Empty:
                pass
            self._sample(batch)

    def _sample(self, batch) -> None:
        def route(request_index, sample_index, token, text):
            callback = batch[request_index][1]
            if callback is not None:
                callback(0, sample_index, token, text)

        try:
            responses = self.sampler.sample_many([r for r, _, _ in batch], route)
            self.batches_run += 1
        except BaseException as e:  # noqa: BLE001 - every waiter learns what happened
            for _, _, future in batch:
                future.set_exception(e)
            return
        for (_, _, future), response in zip(batch, responses):
            future.set_result(response)
