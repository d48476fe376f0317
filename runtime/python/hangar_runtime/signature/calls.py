"""Running setup() and predict()/run()/train(): sync or async, returning or yielding, cancelable.

Async code runs on one event loop per process, in a thread of its own, as Cog runs an async
predictor: setup() and every prediction share it, so what setup() creates on the loop (clients,
locks, queues) works in predict(), and concurrent jobs (concurrency.max) interleave on it. The
job's thread blocks until its task is done; the task runs in a copy of the job thread's context,
so `cog.current_scope()` sees the job's scope.
"""

import asyncio
import collections.abc
import contextvars
import inspect
import threading

from cog.exceptions import CancelationException

_POLL_SECONDS = 0.1  # how often a waiting job thread wakes, so an injected cancel exception lands


class EventLoop:
    """An asyncio loop running forever in a daemon thread; run() blocks the caller until a task is done."""

    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hangar-asyncio", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stops the loop and its thread (tests; the runtime's loop lives as long as the process)."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def run(self, awaitable, on_task=None):
        """Runs awaitable as a task on the loop and returns its result (or raises its exception).

        on_task(task, loop) is called on the loop once the task exists (Call keeps it to cancel).
        If the waiting thread is interrupted (an injected CancelationException), the task is
        canceled too, so nothing keeps running behind the caller's back.
        """
        context = contextvars.copy_context()
        done = threading.Event()
        box = {}

        def start():
            task = self._loop.create_task(_await(awaitable), context=context)
            box["task"] = task
            task.add_done_callback(lambda _: done.set())
            if on_task:
                on_task(task, self._loop)

        try:
            self._loop.call_soon_threadsafe(start)
            while not done.wait(_POLL_SECONDS):
                pass
        except BaseException:
            # Runs after start() when that was scheduled (callbacks run in order), so the task exists.
            self._loop.call_soon_threadsafe(lambda: "task" in box and box["task"].cancel())
            raise
        task = box["task"]
        if task.cancelled():
            raise asyncio.CancelledError()
        if task.exception() is not None:
            raise task.exception()
        return task.result()


_default_loop = None
_default_lock = threading.Lock()


def default_loop() -> EventLoop:
    """The process's event loop, started on first use."""
    global _default_loop
    with _default_lock:
        if _default_loop is None:
            _default_loop = EventLoop()
        return _default_loop


def run_setup(instance, weights=None, loop: EventLoop | None = None) -> None:
    """Calls instance.setup() (with `weights` when it takes them), awaiting it on the event loop if async."""
    setup = getattr(instance, "setup", None)
    if setup is None:
        return
    takes_weights = "weights" in inspect.signature(setup).parameters
    result = setup(weights=weights) if takes_weights else setup()
    if inspect.isawaitable(result):
        (loop or default_loop()).run(result)


class Call:
    """One predict()/run()/train() call, sync or async, returning or yielding.

    run() blocks the calling thread. cancel() may come from any thread: an async call's task is
    canceled on the loop (predict sees asyncio.CancelledError, then run() raises
    CancelationException); a sync call is the caller's to interrupt, as today.
    """

    def __init__(self, fn, kwargs: dict, loop: EventLoop | None = None):
        self._fn = fn
        self._kwargs = kwargs
        self._loop = loop
        self._lock = threading.Lock()
        self._task = None
        self._canceled = False

    def run(self):
        """The return value, or an iterator over the items of a (sync or async) generator."""
        result = self._fn(**self._kwargs)
        if inspect.isawaitable(result):
            return self._await(result)
        if inspect.isasyncgen(result) or isinstance(result, collections.abc.AsyncIterator):
            return self._drive(result)
        return result

    def cancel(self) -> bool:
        """True when an async task was asked to stop; False for a sync call (interrupt it yourself)."""
        with self._lock:
            self._canceled = True
            if self._task is None:
                return False
            task, loop = self._task
        loop.call_soon_threadsafe(task.cancel)
        return True

    def _await(self, awaitable):
        with self._lock:
            if self._canceled:  # canceled before it began: never start it
                getattr(awaitable, "close", lambda: None)()
                raise CancelationException()
        try:
            return (self._loop or default_loop()).run(awaitable, self._started)
        except asyncio.CancelledError:
            raise CancelationException() from None
        finally:
            with self._lock:
                self._task = None

    def _started(self, task, loop):
        with self._lock:
            self._task = (task, loop)
            if self._canceled:
                task.cancel()

    def _drive(self, agen):
        try:
            while True:
                try:
                    item = self._await(agen.__anext__())
                except StopAsyncIteration:
                    return
                yield item
        finally:
            if hasattr(agen, "aclose"):
                try:
                    (self._loop or default_loop()).run(agen.aclose())
                except BaseException:  # noqa: BLE001 -- closing after a failure: the first error is the one to report
                    pass


async def _await(awaitable):
    return await awaitable
