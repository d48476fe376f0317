"""Running setup() and predict()/run()/train(): sync or async, returning or yielding, cancelable."""

import asyncio
import collections.abc
import inspect
import threading

from cog.exceptions import CancelationException


def run_setup(instance, weights=None) -> None:
    """Calls instance.setup() (with `weights` when it takes them), running it to completion if async."""
    setup = getattr(instance, "setup", None)
    if setup is None:
        return
    takes_weights = "weights" in inspect.signature(setup).parameters
    result = setup(weights=weights) if takes_weights else setup()
    if inspect.isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


class Call:
    """One predict()/run()/train() call, sync or async, returning or yielding.

    run() blocks the calling thread; an async call gets an event loop of its own for the job,
    so cancel() can cancel its task from any thread (predict sees asyncio.CancelledError).
    """

    def __init__(self, fn, kwargs: dict):
        self._fn = fn
        self._kwargs = kwargs
        self._lock = threading.Lock()
        self._loop = None
        self._task = None
        self._canceled = False

    def run(self):
        """The return value, or an iterator over the items of a (sync or async) generator."""
        result = self._fn(**self._kwargs)
        if inspect.isawaitable(result):
            return self._on_loop(lambda loop: loop.run_until_complete(self._start(loop, result)), close=True)
        if inspect.isasyncgen(result) or isinstance(result, collections.abc.AsyncIterator):
            return self._drive(result)
        return result

    def cancel(self) -> bool:
        """Cancels an async call's task (thread-safe); False for a sync call, which the caller interrupts itself."""
        with self._lock:
            self._canceled = True
            if self._loop is None or self._task is None:
                return False
            self._loop.call_soon_threadsafe(self._task.cancel)
            return True

    def _start(self, loop, awaitable):
        with self._lock:
            if self._canceled:  # canceled before it began: never start it
                getattr(awaitable, "close", lambda: None)()
                raise asyncio.CancelledError()
            self._task = loop.create_task(_await(awaitable))
            return self._task

    def _on_loop(self, body, close: bool):
        with self._lock:
            self._loop = self._loop or asyncio.new_event_loop()
            loop = self._loop
        try:
            return body(loop)
        except asyncio.CancelledError:
            raise CancelationException() from None
        finally:
            if close:
                self._close_loop()

    def _close_loop(self):
        with self._lock:
            loop, self._loop, self._task = self._loop, None, None
        if loop is not None:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _drive(self, agen):
        try:
            while True:
                try:
                    item = self._on_loop(lambda loop: loop.run_until_complete(self._start(loop, agen.__anext__())),
                                         close=False)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            if self._loop is not None and hasattr(agen, "aclose"):
                try:
                    self._loop.run_until_complete(agen.aclose())
                except BaseException:  # noqa: BLE001 -- closing after a failure: the first error is the one to report
                    pass
            self._close_loop()


async def _await(awaitable):
    return await awaitable
