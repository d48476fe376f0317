"""The sample Cog projects (src/test/resources/cog-projects): their schemas, and a prediction each."""

import base64
import contextlib
import importlib.util
import io
import json
import pathlib
import re
import sys
import tempfile
import unittest

import cog
from hangar_runtime import signature as sg

PROJECTS = pathlib.Path(__file__).resolve().parents[2] / "src" / "test" / "resources" / "cog-projects"


def entries(project: str) -> dict:
    """{"predict"|"run"|"train": class or function}, loaded from the project's cog.yaml as Cog does."""
    folder = PROJECTS / project
    found = {}
    for key, ref in re.findall(r'^(predict|run|train): "([^"]+)"', (folder / "cog.yaml").read_text(), re.M):
        file_name, _, name = ref.partition(":")
        spec = importlib.util.spec_from_file_location(f"cogproject_{project.replace('-', '_')}_{key}",
                                                      folder / file_name)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(folder))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(folder))
        found[key] = getattr(module, name)
    return found


def data_url(data: bytes, mime="text/plain") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def decode(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1])


class ProjectTestCase(unittest.TestCase):
    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp())

    def start(self, project):
        """(signature, instance) after setup(), for the project's predict/run entry."""
        found = entries(project)
        target = found.get("predict") or found.get("run")
        info = sg.inspect_predictor(target)
        instance = target()
        sg.run_setup(instance)
        return info, instance

    def predict(self, info, instance, raw):
        kwargs = sg.validate_inputs(info, raw, self.work / "inputs")
        try:
            result = sg.Call(info.entry(instance), kwargs).run()
            if sg.is_stream(result):
                return list(sg.stream_output(result, self.work / "outputs"))
            return sg.encode_output(result, self.work / "outputs")
        finally:
            sg.close_inputs(kwargs)


class SchemasTest(unittest.TestCase):
    def test_every_project_derives_its_expected_schema(self):
        projects = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())
        self.assertGreaterEqual(len(projects), 6)
        for project in projects:
            with self.subTest(project=project):
                expected = json.loads((PROJECTS / project / "expected_schema.json").read_text())
                found = entries(project)
                predictor = found.get("predict") or found.get("run")
                doc = sg.openapi_document(predictor, found.get("train"))
                schemas = doc["components"]["schemas"]
                for name, schema in expected.items():
                    self.assertEqual(schemas[name], schema, name)
                self.assertEqual(json.loads(json.dumps(doc)), doc)  # a label value: plain JSON, nothing else


class PredictionsTest(ProjectTestCase):
    def test_types(self):
        info, instance = self.start("types")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            output = self.predict(info, instance, {"prompt": "world", "repeats": "2", "loud": True,
                                                   "language": "fr", "style": "fancy", "tags": ["x", "y"],
                                                   "api_key": "sk-very-secret"})
        self.assertEqual(output, {"text": "~ BONJOUR WORLD BONJOUR WORLD ~", "repeats": 2, "loud": True,
                                  "tags": ["x", "y"]})
        self.assertIn("api key given: True, printed as **********", printed.getvalue())
        self.assertNotIn("sk-very-secret", printed.getvalue())
        self.assertEqual(info.secret_inputs, ("api_key",))
        with self.assertRaises(sg.InputValidationError) as caught:
            sg.check_inputs(info, {"prompt": "", "repeats": 6, "language": "de", "code": "AB", "colour": 1})
        self.assertEqual([(d["loc"][-1], d["type"]) for d in caught.exception.detail], [
            ("prompt", "value_error.any_str.min_length"), ("repeats", "value_error.number.not_le"),
            ("language", "type_error.enum"), ("code", "value_error.str.regex"), ("colour", "value_error.extra")])

    def test_file_input(self):
        info, instance = self.start("file-input")
        output = self.predict(info, instance, {"document": data_url(b"first line\nsecond\n"),
                                               "notes": data_url(b"12345")})
        self.assertEqual(output, {"name": "file.txt", "size": 18, "first_line": "first line", "notes_size": 5})
        output = self.predict(info, instance, {"document": data_url(b"only")})
        self.assertIsNone(output["notes_size"])

    def test_path_output(self):
        info, instance = self.start("path-output")
        url = self.predict(info, instance, {"text": "hi"})
        self.assertTrue(url.startswith("data:text/plain;base64,"))
        self.assertEqual(decode(url), b"hi\nhi\n")
        self.assertEqual((self.work / "outputs" / "out.txt").read_text(), "hi\nhi\n")

    def test_streaming(self):
        info, instance = self.start("streaming")
        self.assertTrue(info.streaming and info.output.concatenate)
        with cog.scope.use_scope(cog.scope.Scope()) as scope:
            chunks = self.predict(info, instance, {"prompt": "the quick fox"})
        self.assertEqual(chunks, ["the ", "quick ", "fox "])
        self.assertEqual(scope.metrics.to_dict(), {"token_count": 3})

    def test_async_runner(self):
        info, instance = self.start("async-runner")
        self.assertTrue(info.is_async)
        self.assertEqual(info.method, "run")
        self.assertEqual(self.predict(info, instance, {"name": "ada"}), "async hello ada")

    def test_failing_predict(self):
        info, instance = self.start("failing-predict")
        self.assertEqual(self.predict(info, instance, {"number": 4}), 2)
        with self.assertRaisesRegex(ValueError, "odd numbers are not supported: 3"):
            self.predict(info, instance, {"number": 3})

    def test_failing_setup(self):
        target = entries("failing-setup")["predict"]
        sg.inspect_predictor(target)  # the schema is still derivable: the build succeeds
        with self.assertRaisesRegex(RuntimeError, "weights not found"):
            sg.run_setup(target())

    def test_legacy(self):
        info, instance = self.start("legacy")
        self.assertEqual(self.predict(info, instance, {"text": "abc", "times": 2}), "ABCABC!")
        self.assertEqual(self.predict(info, instance, {"text": "AbC", "case": "lower"}), "abc!")

    def test_training(self):
        found = entries("training")
        train = sg.inspect_predictor(found["train"])
        kwargs = sg.validate_inputs(train, {"train_data": data_url(b"0123456789")}, self.work / "train-inputs")
        self.assertEqual(kwargs["learning_rate"], 1e-4)
        self.assertIsNone(kwargs["seed"])
        output = sg.encode_output(sg.Call(train.entry(found["train"]), kwargs).run(), self.work / "outputs")
        self.assertEqual(decode(output["weights"]), b"trained on 10 bytes at lr=0.0001")
        predictor = found["predict"]()
        weights = cog.Path(self.work / "outputs" / "weights.txt")
        sg.run_setup(predictor, weights=weights)
        info = sg.inspect_predictor(found["predict"])
        self.assertEqual(self.predict(info, predictor, {"prompt": "p"}), "trained on 10 bytes at lr=0.0001: p")


if __name__ == "__main__":
    unittest.main()
