"""The `cog` package Hangar ships: each public name behaves as Cog documents it."""

import io
import pathlib
import tempfile
import typing
import unittest
import warnings
from typing import Optional

import cog
from cog.scope import Scope, use_scope
from hangar_runtime import processor


class InputTest(unittest.TestCase):
    def test_input_returns_a_marker_with_all_its_metadata(self):
        marker = cog.Input(default=2, description="d", ge=1, le=9, min_length=None, max_length=None,
                           regex=None, choices=None, deprecated=True)
        self.assertIsInstance(marker, cog.FieldInfo)
        self.assertEqual((marker.default, marker.description, marker.ge, marker.le, marker.deprecated),
                         (2, "d", 1, 9, True))

    def test_input_without_default_is_missing_not_none(self):
        from cog.input import MISSING

        self.assertIs(cog.Input(description="x").default, MISSING)
        self.assertIsNone(cog.Input(default=None).default)

    def test_choices_are_copied(self):
        choices = ["a", "b"]
        marker = cog.Input(choices=choices)
        choices.append("c")
        self.assertEqual(marker.choices, ["a", "b"])


class TypesTest(unittest.TestCase):
    def test_path_is_a_posix_path_that_stays_a_cog_path(self):
        path = cog.Path("/tmp") / "x.txt"
        self.assertIsInstance(path, pathlib.PosixPath)
        self.assertIsInstance(path, cog.Path)
        self.assertEqual(str(path), "/tmp/x.txt")

    def test_file_passes_file_likes_through_and_opens_paths_and_bytes(self):
        handle = io.StringIO("hello")
        self.assertIs(cog.File(handle), handle)
        self.assertEqual(cog.File(b"abc").read(), b"abc")
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"on disk")
            f.flush()
            with cog.File(f.name) as opened:
                self.assertEqual(opened.read(), b"on disk")
        with self.assertRaises(TypeError):
            cog.File(42)
        self.assertTrue(issubclass(cog.File, io.IOBase))

    def test_secret_masks_its_value_everywhere_but_get_secret_value(self):
        secret = cog.Secret("sk-123")
        self.assertEqual(secret.get_secret_value(), "sk-123")
        self.assertEqual(str(secret), "**********")
        self.assertEqual(repr(secret), "Secret('**********')")
        self.assertNotIn("sk-123", f"{secret} {secret!r} {[secret]}")
        self.assertEqual(secret, cog.Secret("sk-123"))
        self.assertEqual(str(cog.Secret("")), "")
        with self.assertRaises(TypeError):
            cog.Secret(5)

    def test_concatenate_iterators_are_generic_hints(self):
        self.assertIs(typing.get_origin(cog.ConcatenateIterator[str]), cog.ConcatenateIterator)
        self.assertEqual(typing.get_args(cog.ConcatenateIterator[str]), (str,))
        self.assertIs(typing.get_origin(cog.AsyncConcatenateIterator[str]), cog.AsyncConcatenateIterator)


class BaseModelTest(unittest.TestCase):
    def test_fields_by_keyword_with_optional_ones_left_out(self):
        class Output(cog.BaseModel):
            text: str
            score: Optional[float]
            file: Optional[cog.Path]

        out = Output(text="hi", score=1.5)
        self.assertEqual((out.text, out.score, out.file), ("hi", 1.5, None))
        with self.assertRaises(TypeError):
            Output(score=1.0)  # text is required
        with self.assertRaises(TypeError):
            Output("hi")  # keyword-only, as a model's fields are named


class DecoratorsTest(unittest.TestCase):
    def test_streaming_with_and_without_parentheses(self):
        @cog.streaming
        def one():
            yield 1

        @cog.streaming()
        def two():
            yield 2

        self.assertTrue(one.__cog_streaming__ and two.__cog_streaming__)
        self.assertEqual(list(one()), [1])

    def test_experimental_feature_warning_can_be_filtered(self):
        self.assertTrue(issubclass(cog.ExperimentalFeatureWarning, Warning))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=cog.ExperimentalFeatureWarning)
            warnings.warn("x", cog.ExperimentalFeatureWarning)


class PredictorClassesTest(unittest.TestCase):
    def test_base_runner_predict_calls_run(self):
        class Runner(cog.BaseRunner):
            def run(self, x: int) -> int:
                return x + 1

        self.assertEqual(Runner().predict(x=1), 2)

    def test_base_predictor_predict_must_be_implemented(self):
        with self.assertRaises(NotImplementedError):
            cog.BasePredictor().predict()

    def test_cancelation_is_the_runtimes_own_base_exception(self):
        self.assertIs(cog.CancelationException, processor.CancelationException)
        self.assertFalse(issubclass(cog.CancelationException, Exception))

    def test_legacy_input_keeps_the_written_order_and_checks_its_arguments(self):
        class Predictor(cog.Predictor):
            @cog.input("a", type=str)
            @cog.input("b", type=int, default=1, min=0, max=3)
            def predict(self, a, b):
                return a * b

        self.assertEqual([s["name"] for s in Predictor.predict._cog_inputs], ["a", "b"])
        self.assertEqual(Predictor().predict(a="x", b=2), "xx")
        bad = [
            (dict(name="x", type=list), ValueError, "not a valid input type"),
            (dict(name="x", type=str, min=1), ValueError, "cannot have min and max"),
            (dict(name="x", type=cog.Path, options=["a", "b"]), ValueError, "File type cannot have options"),
            (dict(name="x", type=str, options=["a"]), ValueError, "at least two items"),
            (dict(name="x", type=cog.Path, default="a.png"), TypeError, "Cannot use default with Path"),
        ]
        for kwargs, error, message in bad:
            with self.subTest(kwargs=kwargs), self.assertRaisesRegex(error, message):
                cog.input(**kwargs)
        with self.assertRaisesRegex(ValueError, "already defined"):
            cog.input("a", type=str)(cog.input("a", type=int)(lambda self, a: a))


class MetricsTest(unittest.TestCase):
    def test_outside_a_prediction_everything_is_a_silent_no_op(self):
        cog.current_scope().record_metric("x", 1)
        cog.current_scope().metrics["y"] = 2
        self.assertEqual(cog.current_scope().metrics.to_dict(), {})
        self.assertIsNotNone(cog.current_scope())

    def test_modes_dot_paths_deletion_and_the_recording_hook(self):
        seen = []
        with use_scope(Scope(on_record=lambda *event: seen.append(event), context={"k": "v"})) as scope:
            predictor = cog.BasePredictor()
            predictor.record_metric("temperature", 0.7)
            predictor.record_metric("token_count", 1, mode="incr")
            predictor.record_metric("token_count", 1, mode="incr")
            predictor.record_metric("steps", "pre", mode="append")
            predictor.record_metric("steps", "infer", mode="append")
            predictor.record_metric("status", "running")
            predictor.record_metric("status", "done")
            predictor.record_metric("timing.preprocess", 0.12)
            predictor.record_metric("timing.inference", 0.85)
            predictor.scope.metrics["gone"] = 1
            del predictor.scope.metrics["gone"]
            predictor.record_metric("temperature", None)
            self.assertEqual(predictor.scope.context, {"k": "v"})
            self.assertEqual(scope.metrics["timing.inference"], 0.85)
        self.assertEqual(scope.metrics.to_dict(), {
            "token_count": 2, "steps": ["pre", "infer"], "status": "done",
            "timing": {"preprocess": 0.12, "inference": 0.85}})
        self.assertIn(("token_count", 1, "incr"), seen)
        self.assertEqual(cog.current_scope().metrics.to_dict(), {})  # unbound again

    def test_a_key_keeps_its_kind_until_deleted(self):
        with use_scope(Scope()) as scope:
            scope.record_metric("count", 1)
            with self.assertRaisesRegex(TypeError, "holds a number"):
                scope.record_metric("count", "oops")
            del scope.metrics["count"]
            scope.record_metric("count", "now a string")
            with self.assertRaisesRegex(TypeError, "incr needs a number"):
                scope.record_metric("count", "x", mode="incr")
            with self.assertRaisesRegex(TypeError, "append needs a list"):
                scope.record_metric("count", "x", mode="append")
            with self.assertRaisesRegex(TypeError, "cannot nest"):
                scope.record_metric("count.inner", 1)
            with self.assertRaisesRegex(TypeError, "must be bool"):
                scope.record_metric("obj", object())
            with self.assertRaisesRegex(ValueError, "mode must be"):
                scope.record_metric("count", 1, mode="sum")
            with self.assertRaisesRegex(ValueError, "dot-separated"):
                scope.record_metric("a..b", 1)
        self.assertEqual(scope.metrics.to_dict(), {"count": "now a string"})


if __name__ == "__main__":
    unittest.main()
