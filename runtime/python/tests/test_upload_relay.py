"""The runtime's side of `hangar serve --upload-url`: each file goes to the CLI's relay socket."""

import os
import pathlib
import socket
import socketserver
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler

from hangar_runtime import uploads


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class UploadRelayTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.sock = os.path.join(self.dir, "upload.sock")
        self.received = []
        self.answer = (201, "http://127.0.0.1:9/bucket/out.txt", "")
        test = self

        class Handler(BaseHTTPRequestHandler):
            def address_string(self):
                return "relay"

            def log_message(self, *args):
                pass

            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                test.received.append((self.path, self.headers["Content-Type"], self.headers["X-Prediction-ID"], body))
                status, location, text = test.answer
                data = text.encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = _UnixServer(self.sock, Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.file = pathlib.Path(self.dir) / "out put.txt"
        self.file.write_text("hello")

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_the_file_goes_to_the_relay_and_its_location_is_the_output(self):
        url = uploads.put_via_socket(self.sock, self.file, "p1")
        self.assertEqual(url, "http://127.0.0.1:9/bucket/out.txt")
        self.assertEqual(self.received, [("/out%20put.txt", "text/plain", "p1", b"hello")])

    def test_a_refusal_is_the_relays_text(self):
        self.answer = (502, None, "ERR_UPLOAD_FAILED: the upload URL answered HTTP 403")
        with self.assertRaises(RuntimeError) as e:
            uploads.put_via_socket(self.sock, self.file, "p1")
        self.assertIn("could not upload output out put.txt: ERR_UPLOAD_FAILED: the upload URL answered HTTP 403", str(e.exception))

    def test_no_relay_is_a_clear_error(self):
        with self.assertRaises(RuntimeError) as e:
            uploads.put_via_socket(os.path.join(self.dir, "missing.sock"), self.file)
        self.assertIn("the upload relay is not reachable", str(e.exception))


if __name__ == "__main__":
    unittest.main()
