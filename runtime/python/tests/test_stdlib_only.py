"""The cog package and the signature package import nothing outside the standard library."""

import json
import pathlib
import subprocess
import sys
import unittest

PYTHON_DIR = pathlib.Path(__file__).resolve().parents[1]
OURS = {"cog", "hangar_runtime"}


class StdlibOnlyTest(unittest.TestCase):
    def test_imports_are_standard_library_only(self):
        # A fresh interpreter without site-packages: any third-party import would fail or show up.
        code = ("import json, sys; import cog, cog.scope, hangar_runtime.signature; "
                "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
        done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60,
                              env={"PYTHONPATH": str(PYTHON_DIR), "PYTHONDONTWRITEBYTECODE": "1"})
        self.assertEqual(done.returncode, 0, done.stderr)
        loaded = set(json.loads(done.stdout))
        foreign = {m for m in loaded - OURS if m not in sys.stdlib_module_names and not m.startswith("_")}
        self.assertEqual(foreign, set())
        self.assertTrue(OURS <= loaded)


if __name__ == "__main__":
    unittest.main()
