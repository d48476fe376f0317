"""`python3 -m hangar_runtime.signature`: the OpenAPI document for the build's image label."""

import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

PYTHON_DIR = pathlib.Path(__file__).resolve().parents[1]
PROJECTS = PYTHON_DIR.parent / "src" / "test" / "resources" / "cog-projects"


def run(folder, *args):
    return subprocess.run([sys.executable, "-m", "hangar_runtime.signature", *args], cwd=folder, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(PYTHON_DIR), "PYTHONDONTWRITEBYTECODE": "1"})


class CliTest(unittest.TestCase):
    def test_prints_the_document_of_a_project(self):
        done = run(PROJECTS / "training", "--predict", "predict.py:Predictor", "--train", "train.py:train")
        self.assertEqual(done.returncode, 0, done.stderr)
        schemas = json.loads(done.stdout)["components"]["schemas"]
        expected = json.loads((PROJECTS / "training" / "expected_schema.json").read_text())
        for name, schema in expected.items():
            self.assertEqual(schemas[name], schema, name)

    def test_a_signature_cog_refuses_fails_the_build_with_the_reason(self):
        folder = pathlib.Path(tempfile.mkdtemp())
        (folder / "predict.py").write_text(
            "from typing import Optional\nfrom cog import BasePredictor\n\n"
            "class Predictor(BasePredictor):\n    def predict(self, x: int) -> Optional[str]:\n        return None\n")
        done = run(folder, "--predict", "predict.py:Predictor")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stdout, "")
        self.assertIn("the predictor's signature cannot be served", done.stderr)
        self.assertIn("output must not be Optional", done.stderr)

    def test_a_missing_file_is_named(self):
        done = run(tempfile.mkdtemp(), "--predict", "nope.py:Predictor")
        self.assertEqual(done.returncode, 1)
        self.assertIn("cannot load the predictor", done.stderr)
        self.assertIn("nope.py", done.stderr)


if __name__ == "__main__":
    unittest.main()
