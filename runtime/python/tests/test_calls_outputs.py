"""Running predictors (sync, async, generators, cancel) and encoding what they return."""

import asyncio
import base64
import enum
import io
import pathlib
import tempfile
import threading
import time
import unittest
from typing import AsyncIterator, Iterator, Optional

import cog
from cog import BaseModel, BasePredictor, BaseRunner, ConcatenateIterator, Path
from cog.scope import Scope, use_scope
from hangar_runtime import signature as sg


class CallTest(unittest.TestCase):
    def test_sync_return(self):
        self.assertEqual(sg.Call(lambda x: x * 2, {"x": 2}).run(), 4)

    def test_sync_generator_is_returned_for_the_caller_to_iterate(self):
        def gen(n):
            yield from range(n)

        result = sg.Call(gen, {"n": 3}).run()
        self.assertTrue(sg.is_stream(result))
        self.assertEqual(list(result), [0, 1, 2])

    def test_async_setup_and_predict_share_one_loop_in_its_own_thread(self):
        class Runner(BaseRunner):
            async def setup(self):
                self.loop = asyncio.get_running_loop()
                self.lock = asyncio.Lock()  # bound to the loop: must work in run() too

            async def run(self, name: str) -> str:
                async with self.lock:
                    await asyncio.sleep(0.01)
                same = asyncio.get_running_loop() is self.loop
                return f"hi {name} on {threading.current_thread().name}, same loop: {same}"

        runner = Runner()
        sg.run_setup(runner)
        result = sg.Call(sg.inspect_predictor(Runner).entry(runner), {"name": "x"}).run()
        self.assertEqual(result, "hi x on hangar-asyncio, same loop: True")

    def test_async_jobs_interleave_on_the_loop(self):
        both_started = asyncio.Event()
        started = []

        async def predict(name):
            started.append(name)
            if len(started) == 2:
                both_started.set()
            await asyncio.wait_for(both_started.wait(), 5)  # only returns if the other job ran meanwhile
            return name

        loop = sg.EventLoop()
        self.addCleanup(loop.close)
        results = {}
        threads = [threading.Thread(target=lambda n=n: results.update({n: sg.Call(predict, {"name": n}, loop).run()}))
                   for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        self.assertEqual(results, {"a": "a", "b": "b"})

    def test_an_interrupted_waiting_thread_cancels_its_task(self):
        import ctypes

        inside = []
        started = threading.Event()

        async def slow():
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                inside.append("cancelled")
                raise

        caught = []

        def job():
            try:
                sg.Call(slow, {}).run()
            except cog.CancelationException:
                caught.append("interrupted")

        thread = threading.Thread(target=job)
        thread.start()
        self.assertTrue(started.wait(5))
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                   ctypes.py_object(cog.CancelationException))
        thread.join(5)
        self.assertEqual(caught, ["interrupted"])
        for _ in range(50):
            if inside:
                break
            time.sleep(0.05)
        self.assertEqual(inside, ["cancelled"])

    def test_base_runner_predict_of_an_async_run_works_too(self):
        class Runner(BaseRunner):
            async def run(self) -> str:
                return "via predict"

        self.assertEqual(sg.Call(Runner().predict, {}).run(), "via predict")

    def test_async_generator_items_come_one_by_one(self):
        seen = []

        async def agen():
            for i in range(3):
                await asyncio.sleep(0)
                seen.append(i)
                yield i

        items = sg.Call(agen, {}).run()
        self.assertEqual(next(items), 0)
        self.assertEqual(seen, [0])  # lazy: the next item is produced only when asked for
        self.assertEqual(list(items), [1, 2])

    def test_cancel_an_async_call_raises_cancelled_error_inside_then_cancelation(self):
        inside = []
        started = threading.Event()

        async def slow():
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                inside.append("cancelled")
                raise

        call = sg.Call(slow, {})
        threading.Thread(target=lambda: (started.wait(5), call.cancel()), daemon=True).start()
        began = time.monotonic()
        with self.assertRaises(cog.CancelationException):
            call.run()
        self.assertLess(time.monotonic() - began, 5)
        self.assertEqual(inside, ["cancelled"])

    def test_cancel_an_async_generator_between_items(self):
        async def agen():
            yield 1
            await asyncio.sleep(30)
            yield 2

        call = sg.Call(agen, {})
        items = call.run()
        self.assertEqual(next(items), 1)
        threading.Timer(0.1, call.cancel).start()
        with self.assertRaises(cog.CancelationException):
            next(items)

    def test_cancel_before_start_and_for_sync_calls(self):
        async def never():
            raise AssertionError("must not run")

        call = sg.Call(never, {})
        self.assertFalse(call.cancel())  # nothing to cancel yet, but remembered
        with self.assertRaises(cog.CancelationException):
            call.run()
        self.assertFalse(sg.Call(lambda: 1, {}).cancel())

    def test_the_scope_reaches_async_code(self):
        async def predict():
            await asyncio.sleep(0)
            cog.current_scope().record_metric("n", 1, mode="incr")
            return "ok"

        with use_scope(Scope()) as scope:
            sg.Call(predict, {}).run()
        self.assertEqual(scope.metrics.to_dict(), {"n": 1})

    def test_exceptions_propagate(self):
        async def boom():
            raise ValueError("bad input")

        with self.assertRaisesRegex(ValueError, "bad input"):
            sg.Call(boom, {}).run()


class SetupTest(unittest.TestCase):
    def test_sync_async_and_weights(self):
        class Sync(BasePredictor):
            def setup(self):
                self.ready = True

        class Async(BasePredictor):
            async def setup(self):
                await asyncio.sleep(0)
                self.ready = True

        class Weights(BasePredictor):
            def setup(self, weights=None):
                self.weights = weights

        for cls in (Sync, Async):
            instance = cls()
            sg.run_setup(instance)
            self.assertTrue(instance.ready)
        instance = Weights()
        sg.run_setup(instance, weights="/src/weights")
        self.assertEqual(instance.weights, "/src/weights")
        sg.run_setup(object())  # no setup at all


class Color(enum.Enum):
    RED = "red"


class EncodeOutputTest(unittest.TestCase):
    def setUp(self):
        self.out = pathlib.Path(tempfile.mkdtemp())
        self.scratch = pathlib.Path(tempfile.mkdtemp())

    def test_plain_values(self):
        value = {"a": [1, 2.5, True, None, "s"], "t": (1, 2), 3: Color.RED, "secret": cog.Secret("v")}
        self.assertEqual(sg.encode_output(value, self.out),
                         {"a": [1, 2.5, True, None, "s"], "t": [1, 2], "3": "red", "secret": "v"})

    def test_path_becomes_a_data_url_and_lands_in_the_output_folder(self):
        source = self.scratch / "image.png"
        source.write_bytes(b"\x89PNG")
        url = sg.encode_output(Path(source), self.out)
        self.assertEqual(url, "data:image/png;base64," + base64.b64encode(b"\x89PNG").decode())
        self.assertEqual((self.out / "image.png").read_bytes(), b"\x89PNG")

    def test_an_upload_hook_gives_the_url(self):
        uploaded = []

        def upload(path):
            uploaded.append(path.read_bytes())
            return f"https://uploads.example/{path.name}"

        source = self.scratch / "a.txt"
        source.write_text("A")
        self.assertEqual(sg.encode_output([Path(source)], self.out, upload), ["https://uploads.example/a.txt"])
        self.assertEqual(uploaded, [b"A"])

    def test_same_names_do_not_overwrite_each_other(self):
        first, second = self.scratch / "x" / "out.txt", self.scratch / "y" / "out.txt"
        for path, text in ((first, "1"), (second, "2")):
            path.parent.mkdir()
            path.write_text(text)
        sg.encode_output([first, second], self.out)
        self.assertEqual(sorted(p.name for p in self.out.iterdir()), ["out-1.txt", "out.txt"])

    def test_a_file_already_in_the_output_folder_is_not_copied(self):
        inside = self.out / "report.txt"
        inside.write_text("r")
        sg.encode_output(Path(inside), self.out)
        self.assertEqual([p.name for p in self.out.iterdir()], ["report.txt"])

    def test_file_likes(self):
        self.assertEqual(sg.encode_output(io.StringIO("hello"), self.out),
                         "data:application/octet-stream;base64," + base64.b64encode(b"hello").decode())
        named = io.BytesIO(b"data")
        named.name = "/tmp/whatever/result.json"
        self.assertTrue(sg.encode_output(cog.File(named), self.out).startswith("data:application/json;base64,"))
        self.assertEqual((self.out / "result.json").read_bytes(), b"data")

    def test_base_model_outputs_are_objects(self):
        class Output(BaseModel):
            text: str
            file: Optional[Path]
            scores: list[float]

        source = self.scratch / "f.txt"
        source.write_text("f")
        self.assertEqual(sg.encode_output(Output(text="t", file=Path(source), scores=[0.5]), self.out),
                         {"text": "t", "file": "data:text/plain;base64," + base64.b64encode(b"f").decode(),
                          "scores": [0.5]})
        self.assertEqual(sg.encode_output(Output(text="t", scores=[]), self.out),
                         {"text": "t", "file": None, "scores": []})

    def test_the_documented_output_with_a_file_field(self):
        class Output(BaseModel):
            file: cog.File
            text: str

        class Predictor(BasePredictor):
            def predict(self) -> Output:
                return Output(text="hello", file=io.StringIO("hello"))

        info = sg.inspect_predictor(Predictor)
        self.assertEqual(sg.output_schema(info)["properties"]["file"], {"type": "string", "format": "uri",
                                                                         "title": "File"})
        encoded = sg.encode_output(sg.Call(info.entry(Predictor()), {}).run(), self.out)
        self.assertEqual(encoded["text"], "hello")
        self.assertEqual(base64.b64decode(encoded["file"].split(",", 1)[1]), b"hello")

    def test_errors_say_what_is_wrong(self):
        with self.assertRaisesRegex(FileNotFoundError, "returned a path that does not exist"):
            sg.encode_output(Path("/nonexistent/x.png"), self.out)
        with self.assertRaisesRegex(IsADirectoryError, "directory"):
            sg.encode_output(Path(self.scratch), self.out)
        with self.assertRaisesRegex(TypeError, "cannot return a object"):
            sg.encode_output(object(), self.out)

    def test_streams_are_encoded_item_by_item(self):
        paths = []
        for i in range(2):
            path = self.scratch / f"frame{i}.txt"
            path.write_text(str(i))
            paths.append(Path(path))

        def frames():
            yield from paths

        encoded = list(sg.stream_output(frames(), self.out))
        self.assertEqual([base64.b64decode(u.split(",", 1)[1]) for u in encoded], [b"0", b"1"])

        async def words():
            for w in ("a", "b"):
                yield w

        self.assertEqual(list(sg.stream_output(words(), self.out)), ["a", "b"])
        self.assertEqual(sg.encode_output(iter([1, 2]), self.out), [1, 2])

    def test_is_stream(self):
        def gen():
            yield 1

        async def agen():
            yield 1

        self.assertTrue(sg.is_stream(gen()))
        self.assertTrue(sg.is_stream(agen()))
        for value in ("text", [1], {"a": 1}, io.BytesIO(b"x"), (1,), 5):
            self.assertFalse(sg.is_stream(value), value)


class EndToEndTest(unittest.TestCase):
    """A whole prediction as the worker will run it: inspect, check, fetch, call, encode, metrics."""

    def test_streaming_predictor_with_metrics(self):
        class Predictor(BasePredictor):
            @cog.streaming
            def predict(self, prompt: str, doc: Path) -> ConcatenateIterator[str]:
                for word in prompt.split():
                    self.record_metric("token_count", 1, mode="incr")
                    yield word + " "
                yield doc.read_text()

        info = sg.inspect_predictor(Predictor)
        work = pathlib.Path(tempfile.mkdtemp())
        kwargs = sg.validate_inputs(info, {"prompt": "a b", "doc": "data:,end"}, work / "inputs")
        events = []
        with use_scope(Scope(on_record=lambda *e: events.append(e))) as scope:
            result = sg.Call(info.entry(Predictor()), kwargs).run()
            chunks = list(sg.stream_output(result, work / "outputs"))
        self.assertTrue(info.streaming)
        self.assertEqual(chunks, ["a ", "b ", "end"])
        self.assertEqual(scope.metrics.to_dict(), {"token_count": 2})
        self.assertEqual(len(events), 2)

    def test_async_iterator_predictor(self):
        class Predictor(BasePredictor):
            async def predict(self, n: int) -> AsyncIterator[int]:
                for i in range(n):
                    yield i

        info = sg.inspect_predictor(Predictor)
        result = sg.Call(info.entry(Predictor()), sg.check_inputs(info, {"n": "3"})).run()
        self.assertEqual(list(sg.stream_output(result, tempfile.mkdtemp())), [0, 1, 2])

    def test_iterator_of_paths(self):
        class Predictor(BasePredictor):
            def predict(self) -> Iterator[Path]:
                for i in range(2):
                    path = Path(tempfile.mkdtemp()) / f"{i}.txt"
                    path.write_text(str(i))
                    yield path

        out = pathlib.Path(tempfile.mkdtemp())
        result = sg.Call(Predictor().predict, {}).run()
        self.assertEqual(len(list(sg.stream_output(result, out))), 2)
        self.assertEqual(sorted(p.name for p in out.iterdir()), ["0.txt", "1.txt"])


if __name__ == "__main__":
    unittest.main()
