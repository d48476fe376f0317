"""Job events (history, backlog, the error on a gap) and webhook signing, below the HTTP layer."""

import base64
import hashlib
import hmac
import unittest

from hangar_runtime import webhooks
from hangar_runtime.job import COMPLETED, ERROR, Job


class JobEventsTest(unittest.TestCase):
    def test_a_late_stream_replays_the_history_then_completed(self):
        job = Job("predictions", "j", {}, history=10)
        job.start()
        job.log("stdout", "hello")
        job.output_chunk("a")
        job.finish("succeeded", output=job.output, predict_time=0.1)
        sub = job.subscribe()
        names = [sub.next(0)[0] for _ in range(4)]
        self.assertEqual(names, ["start", "log", "output", COMPLETED])

    def test_a_late_stream_that_missed_events_gets_error_not_a_gap(self):
        job = Job("predictions", "j", {}, history=3)
        job.start()
        for i in range(5):
            job.output_chunk(str(i))
        sub = job.subscribe()
        event, data = sub.next(0)
        self.assertEqual(event, ERROR)
        self.assertIn("3 events were dropped", data["detail"])

    def test_a_live_stream_that_falls_behind_gets_error_and_nothing_after(self):
        job = Job("predictions", "j", {}, history=4)
        sub = job.subscribe()
        job.start()
        for i in range(10):  # nobody reads: the backlog passes 4
            job.output_chunk(str(i))
        job.finish("succeeded", output=job.output)
        event, data = sub.next(0)
        self.assertEqual(event, ERROR)
        self.assertIn("were dropped", data["detail"])

    def test_a_live_stream_that_keeps_up_sees_everything(self):
        job = Job("predictions", "j", {}, history=2)
        sub = job.subscribe()
        job.start()
        seen = [sub.next(0)[0]]
        for i in range(10):
            job.output_chunk(str(i))
            seen.append(sub.next(0)[0])
        job.finish("succeeded", output=job.output)
        seen.append(sub.next(0)[0])
        self.assertEqual(seen, ["start"] + ["output"] * 10 + [COMPLETED])

    def test_history_zero_keeps_live_streaming_without_replay(self):
        job = Job("predictions", "j", {}, history=0)
        job.start()
        job.output_chunk("a")
        sub = job.subscribe()
        job.output_chunk("b")
        self.assertEqual(sub.next(0), ("output", {"chunk": "b", "index": 1}))

    def test_secret_inputs_are_masked_and_custom_metrics_yield_to_predict_time(self):
        job = Job("predictions", "j", {"key": "abc", "text": "t"}, secret_inputs=("key",))
        job.finish("succeeded", output="x", predict_time=1.5, metrics={"predict_time": 9, "tokens": 3})
        body = job.to_json()
        self.assertEqual(body["input"], {"key": "**********", "text": "t"})
        self.assertEqual(body["metrics"], {"predict_time": 1.5, "tokens": 3})


class WebhookSigningTest(unittest.TestCase):
    KEY = b"0123456789abcdef0123456789abcdef"

    def test_signature_is_standard_webhooks_v1(self):
        body = b'{"id":"p"}'
        expected = base64.b64encode(hmac.new(self.KEY, b"msg_1.1700000000." + body, hashlib.sha256).digest()).decode()
        self.assertEqual(webhooks.sign(self.KEY, "msg_1", 1700000000, body), "v1," + expected)
        self.assertNotEqual(webhooks.sign(b"another key", "msg_1", 1700000000, body), "v1," + expected)
        self.assertNotEqual(webhooks.sign(self.KEY, "msg_1", 1700000001, body), "v1," + expected, "the timestamp is signed")

    def test_secret_is_whsec_base64(self):
        self.assertEqual(webhooks.parse_secret("whsec_" + base64.b64encode(self.KEY).decode()), self.KEY)
        self.assertIsNone(webhooks.parse_secret(None))
        with self.assertRaisesRegex(ValueError, "whsec_ followed by base64"):
            webhooks.parse_secret("whsec_not base64!")

    def test_request_fields_are_checked(self):
        self.assertEqual(webhooks.check_request(None, None), (None, set(webhooks.EVENTS)))
        self.assertEqual(webhooks.check_request("http://h/x", ["start"]), ("http://h/x", {"start"}))
        with self.assertRaises(webhooks.WebhookError) as bad_url:
            webhooks.check_request("ftp://h/x", None)
        self.assertEqual(bad_url.exception.field, "webhook")
        with self.assertRaises(webhooks.WebhookError) as bad_filter:
            webhooks.check_request("http://h/x", ["start", "finished"])
        self.assertEqual(bad_filter.exception.field, "webhook_events_filter")


if __name__ == "__main__":
    unittest.main()
