"""Turns what the processor prints into log lines, while still printing it.

sys.stdout and sys.stderr are replaced once by tees: every write still reaches the real stream
(so `docker logs` shows it), and while a sink is set (during setup or one prediction; never two
at once) complete lines also go to that sink. The runtime's own messages use sys.__stderr__ so
they are never mistaken for the processor's.
"""

import sys
import threading
from contextlib import contextmanager

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
    def __init__(self):
        self._lock = threading.Lock()
        self._sink = None
        self._partial = {"stdout": "", "stderr": ""}

    def install(self):
        sys.stdout = _Tee(sys.stdout, "stdout", self)
        sys.stderr = _Tee(sys.stderr, "stderr", self)

    @contextmanager
    def sink(self, on_line):
        """Sends complete lines to on_line(stream, line) for the duration of the block."""
        with self._lock:
            self._sink = on_line
            self._partial = {"stdout": "", "stderr": ""}
        try:
            yield
        finally:
            for stream in ("stdout", "stderr"):
                self.feed(stream, "", final=True)
            with self._lock:
                self._sink = None

    def feed(self, stream, text, final=False):
        with self._lock:
            if self._sink is None:
                return
            lines = (self._partial[stream] + text).split("\n")
            rest = lines.pop()
            if final and rest:
                lines.append(rest)
                rest = ""
            elif len(rest) > MAX_LINE:
                lines.append(rest)
                rest = ""
            self._partial[stream] = rest
            for line in lines:
                self._sink(stream, line.rstrip("\r"))


def runtime_log(message: str) -> None:
    """The runtime's own diagnostics: straight to the real stderr, never captured."""
    print(f"hangar-runtime: {message}", file=sys.__stderr__, flush=True)
