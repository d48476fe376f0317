"""The runtime's side of webhooks under `hangar serve`: no network, each delivery goes to the CLI's relay socket."""

import json
import os
import socketserver
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler

from hangar_runtime import webhooks


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _Job:
    kind = "predictions"
    id = "p1"

    def to_json(self):
        return {"id": "p1", "status": "succeeded", "completed_at": "2026-12-02T00:00:00Z"}


class WebhookRelayTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.sock = os.path.join(self.dir, "webhook.sock")
        self.received = []
        self.statuses = [500, 500, 200]
        test = self

        class Handler(BaseHTTPRequestHandler):
            def address_string(self):
                return "relay"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                test.received.append((self.path, dict(self.headers), body))
                self.send_response(test.statuses.pop(0) if test.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = _UnixServer(self.sock, Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_the_signed_terminal_delivery_goes_to_the_relay_and_is_retried_while_the_receiver_fails(self):
        key = b"k" * 32
        sender = webhooks.Sender(_Job(), "https://hooks.example/h?sig=1", {"completed"}, key, 3, 0.01, relay=self.sock)
        sender("completed")
        self.assertTrue(sender.finished.wait(5))
        self.assertEqual(len(self.received), 3, "two 500s from the receiver, then delivered")
        ids = {headers["webhook-id"] for _, headers, _ in self.received}
        self.assertEqual(len(ids), 1, "the same webhook-id on every retry")
        path, headers, body = self.received[-1]
        self.assertEqual(path, "/")
        self.assertEqual(headers["X-Webhook-URL"], "https://hooks.example/h?sig=1")
        self.assertEqual(json.loads(body)["status"], "succeeded")
        self.assertEqual(headers["webhook-signature"],
                         webhooks.sign(key, headers["webhook-id"], int(headers["webhook-timestamp"]), body))

    def test_a_refusal_is_not_retried_and_a_missing_relay_is_an_os_error(self):
        self.statuses = [403]
        sender = webhooks.Sender(_Job(), "http://elsewhere.example/", {"completed"}, None, 3, 0.01, relay=self.sock)
        sender("completed")
        self.assertTrue(sender.finished.wait(5))
        self.assertEqual(len(self.received), 1, "the relay refused the URL: sending it again will not help")
        with self.assertRaises(OSError):
            webhooks.post_via_socket(os.path.join(self.dir, "gone.sock"), "http://x/", b"{}", {})


if __name__ == "__main__":
    unittest.main()
