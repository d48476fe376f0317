"""hangar_runtime.forward: a unix socket joined to a TCP server, many connections, half-close passed on."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

from hangar_runtime import forward

PYTHON_DIR = Path(__file__).resolve().parents[1]


class ReadAllThenAnswer:
    """A TCP server that reads each connection to its end (the client's half-close), then answers and closes."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _serve(conn):
        with conn:
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            conn.sendall(b"got %d:" % len(data) + data[::-1])

    def close(self):
        self.listener.close()


def exchange(path, payload):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)  # the half-close: the server only answers after seeing it
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
        return reply


class ForwardTest(unittest.TestCase):
    def setUp(self):
        self.server = ReadAllThenAnswer()
        self.folder = tempfile.mkdtemp()
        self.path = os.path.join(self.folder, "runtime.sock")
        self.stop = threading.Event()
        ready = threading.Event()
        self.thread = threading.Thread(target=forward.serve, args=(self.path, "127.0.0.1", self.server.port),
                                       kwargs={"ready": ready, "stop": self.stop}, daemon=True)
        self.thread.start()
        self.assertTrue(ready.wait(5))

    def tearDown(self):
        self.stop.set()
        self.thread.join(5)
        self.server.close()

    def test_a_half_closed_connection_gets_its_whole_answer(self):
        payload = os.urandom(300_000)  # several buffers each way
        reply = exchange(self.path, payload)
        self.assertEqual(reply, b"got 300000:" + payload[::-1])

    def test_many_concurrent_connections_each_get_their_own_answer(self):
        results = {}

        def one(i):
            payload = (b"connection %d " % i) * (i + 1)
            results[i] = exchange(self.path, payload) == b"got %d:" % len(payload) + payload[::-1]

        threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        self.assertEqual(len(results), 40)
        self.assertTrue(all(results.values()), results)
        self.assertEqual(self.server.connections, 40, "one TCP connection per unix connection")

    def test_the_server_closing_first_ends_the_client_side(self):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.path)
            s.sendall(b"abc")
            s.shutdown(socket.SHUT_WR)
            self.assertEqual(s.recv(100), b"got 3:cba")
            self.assertEqual(s.recv(100), b"", "the server's close reaches the client")

    def test_nothing_listening_upstream_closes_the_connection_so_the_caller_retries(self):
        unused = socket.socket()
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, never listening: connections are refused
        path = os.path.join(self.folder, "dead.sock")
        stop, ready = threading.Event(), threading.Event()
        thread = threading.Thread(target=forward.serve, args=(path, "127.0.0.1", port),
                                  kwargs={"ready": ready, "stop": stop}, daemon=True)
        thread.start()
        try:
            self.assertTrue(ready.wait(5))
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(10)
                s.connect(path)
                self.assertEqual(s.recv(100), b"")
        finally:
            stop.set()
            thread.join(5)
            unused.close()

    def test_stopping_removes_the_socket(self):
        self.stop.set()
        self.thread.join(5)
        self.assertFalse(self.thread.is_alive())
        self.assertFalse(os.path.exists(self.path))


class CommandLineTest(unittest.TestCase):
    def test_runs_as_a_module_and_ends_on_sigterm(self):
        server = ReadAllThenAnswer()
        path = os.path.join(tempfile.mkdtemp(), "f.sock")
        proc = subprocess.Popen([sys.executable, "-m", "hangar_runtime.forward", "--unix", path,
                                 "--tcp", f"127.0.0.1:{server.port}"],
                                env={"PYTHONPATH": str(PYTHON_DIR), "PYTHONDONTWRITEBYTECODE": "1"},
                                stderr=subprocess.PIPE)
        try:
            for _ in range(100):
                if os.path.exists(path):
                    break
                time.sleep(0.05)
            self.assertEqual(exchange(path, b"hi"), b"got 2:ih")
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(10), 0)
            server.close()

    def test_a_bad_address_is_refused(self):
        done = subprocess.run([sys.executable, "-m", "hangar_runtime.forward", "--unix", "/tmp/x.sock", "--tcp", "nope"],
                              env={"PYTHONPATH": str(PYTHON_DIR)}, capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn("expected HOST:PORT", done.stderr)


if __name__ == "__main__":
    unittest.main()
