"""Turns what the processor prints into log lines, while still printing it.

sys.stdout and sys.stderr are replaced once by tees: every write still reaches the real stream
(so `docker logs` shows it), and complete lines also go to the job (or setup) the writing thread
works for (see context.py); several jobs may print at once. The runtime's own messages use sys.__stderr__ so
they are never mistaken for the processor's.
"""

import sys
import threading
from contextlib import contextmanager

from . import context

# A processor that prints without newlines (progress bars) must not grow a line forever.
MAX_LINE = 64 * 1024


class _Tee:
    def __init__(self, real, name, capture):
        self._real = real
        self._name = name
        self._capture = capture

    def write(self, text):
        written = self._real.write(text)
        self._capture.feed(self._name, text)
        return written

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        self._real.flush()

    def __getattr__(self, name):
        # encoding, fileno, isatty, buffer... behave like the real stream.
        return getattr(self._real, name)


class Capture:
    """Routes each thread's complete lines to the context (job or setup) that thread works for."""

    def __init__(self):
        self._lock = threading.Lock()

    def install(self):
        sys.stdout = _Tee(sys.stdout, "stdout", self)
        sys.stderr = _Tee(sys.stderr, "stderr", self)

    @contextmanager
    def sink(self, ctx: context.Context):
        """Binds ctx to this thread for the block: what it prints goes to ctx.on_line(stream, line)."""
        context.bind(ctx)
        try:
            yield
        finally:
            for stream in ("stdout", "stderr"):
                self._feed(ctx, stream, "", final=True)
            context.unbind(ctx)

    def feed(self, stream, text):
        ctx = context.current()
        if ctx is not None:
            self._feed(ctx, stream, text)

    def _feed(self, ctx, stream, text, final=False):
        with self._lock:
            lines = (ctx.partial[stream] + text).split("\n")
            rest = lines.pop()
            if final and rest:
                lines.append(rest)
                rest = ""
            elif len(rest) > MAX_LINE:
                lines.append(rest)
                rest = ""
            ctx.partial[stream] = rest
        for line in lines:
            ctx.on_line(stream, line.rstrip("\r"))


def runtime_log(message: str) -> None:
    """The runtime's own diagnostics: straight to the real stderr, never captured."""
    # One write, so lines of jobs that end at the same time do not interleave.
    sys.__stderr__.write(f"hangar-runtime: {message}\n")
    sys.__stderr__.flush()
