"""Input checks and coercion (Cog's 422 `detail`), and file inputs from data: and http URLs."""

import base64
import http.server
import pathlib
import tempfile
import threading
import unittest
from typing import Optional

import cog
from cog import BasePredictor, File, Input, Path, Secret
from hangar_runtime import signature as sg


class Typed(BasePredictor):
    def predict(
        self,
        text: str = Input(default="tt", min_length=2, max_length=4, regex="^[a-z]+$"),
        count: int = Input(default=1, ge=1, le=10),
        ratio: float = Input(default=0.5, ge=0, le=1.0),
        flag: bool = False,
        color: str = Input(choices=["red", "blue"], default="red"),
        size: int = Input(choices=[1, 2], default=1),
        token: Secret = Input(default=None),
        numbers: list[int] = Input(default=[1], ge=0),
        note: Optional[str] = None,
        blob: dict = Input(default={"a": 1}),
    ) -> str:
        return text


def detail(raw, cls=Typed):
    with unittest.TestCase().assertRaises(sg.InputValidationError) as caught:
        sg.check_inputs(sg.inspect_predictor(cls), raw)
    return caught.exception.detail


class CoercionTest(unittest.TestCase):
    info = sg.inspect_predictor(Typed)

    def check(self, raw):
        return sg.check_inputs(self.info, raw)

    def test_defaults_fill_in_and_are_fresh_copies(self):
        first = self.check({})
        self.assertEqual(first, {"text": "tt", "count": 1, "ratio": 0.5, "flag": False, "color": "red", "size": 1,
                                 "token": None, "numbers": [1], "note": None, "blob": {"a": 1}})
        first["numbers"].append(2)
        self.assertEqual(self.check({})["numbers"], [1])

    def test_coercions(self):
        kwargs = self.check({"count": "3", "ratio": 1, "flag": "true", "numbers": [2.0, "4"], "size": 2.0,
                             "token": "sk-1", "note": "n", "blob": {"x": [1]}})
        self.assertEqual((kwargs["count"], kwargs["ratio"], kwargs["flag"], kwargs["numbers"], kwargs["size"]),
                         (3, 1.0, True, [2, 4], 2))
        self.assertIsInstance(kwargs["ratio"], float)
        self.assertIsInstance(kwargs["token"], Secret)
        self.assertEqual(kwargs["token"].get_secret_value(), "sk-1")
        self.assertEqual(self.check({"flag": 0})["flag"], False)
        self.assertEqual(self.check({"note": None})["note"], None)

    def test_type_errors_have_cogs_messages(self):
        cases = [
            ({"count": "many"}, "value is not a valid integer", "type_error.integer"),
            ({"count": 1.5}, "value is not a valid integer", "type_error.integer"),
            ({"count": True}, "value is not a valid integer", "type_error.integer"),
            ({"ratio": "half"}, "value is not a valid float", "type_error.float"),
            ({"ratio": float("nan")}, "value is not a valid float", "type_error.float"),
            ({"ratio": "inf"}, "value is not a valid float", "type_error.float"),
            ({"flag": "maybe"}, "value could not be parsed to a boolean", "type_error.bool"),
            ({"flag": 2}, "value could not be parsed to a boolean", "type_error.bool"),
            ({"text": 5}, "str type expected", "type_error.str"),
            ({"token": 5}, "str type expected", "type_error.str"),
            ({"numbers": 3}, "value is not a valid list", "type_error.list"),
            ({"count": None}, "none is not an allowed value", "type_error.none.not_allowed"),
        ]
        for raw, msg, kind in cases:
            with self.subTest(raw=raw):
                name = next(iter(raw))
                self.assertEqual(detail(raw), [{"loc": ["body", "input", name], "msg": msg, "type": kind}])

    def test_constraint_errors_carry_their_limit(self):
        cases = [
            ({"count": 0}, "ensure this value is greater than or equal to 1", "value_error.number.not_ge",
             {"limit_value": 1}),
            ({"ratio": 1.5}, "ensure this value is less than or equal to 1.0", "value_error.number.not_le",
             {"limit_value": 1.0}),
            ({"text": "a"}, "ensure this value has at least 2 characters", "value_error.any_str.min_length",
             {"limit_value": 2}),
            ({"text": "abcde"}, "ensure this value has at most 4 characters", "value_error.any_str.max_length",
             {"limit_value": 4}),
            ({"text": "AB"}, 'string does not match regex "^[a-z]+$"', "value_error.str.regex",
             {"pattern": "^[a-z]+$"}),
            ({"color": "green"}, "value is not a valid enumeration member; permitted: 'red', 'blue'",
             "type_error.enum", {"enum_values": ["red", "blue"]}),
            ({"size": 3}, "value is not a valid enumeration member; permitted: 1, 2", "type_error.enum",
             {"enum_values": [1, 2]}),
        ]
        for raw, msg, kind, ctx in cases:
            with self.subTest(raw=raw):
                name = next(iter(raw))
                self.assertEqual(detail(raw), [{"loc": ["body", "input", name], "msg": msg, "type": kind, "ctx": ctx}])

    def test_list_items_are_located_by_index(self):
        self.assertEqual(detail({"numbers": [1, -1, "x"]}), [
            {"loc": ["body", "input", "numbers", 1], "msg": "ensure this value is greater than or equal to 0",
             "type": "value_error.number.not_ge", "ctx": {"limit_value": 0}},
            {"loc": ["body", "input", "numbers", 2], "msg": "value is not a valid integer",
             "type": "type_error.integer"},
        ])

    def test_missing_and_unknown_inputs_are_named_all_at_once(self):
        class Needs(BasePredictor):
            def predict(self, prompt: str, image: Path) -> str:
                return prompt

        error = None
        try:
            sg.check_inputs(sg.inspect_predictor(Needs), {"promt": "typo"})
        except sg.InputValidationError as e:
            error = e
        self.assertEqual(error.detail, [
            {"loc": ["body", "input", "prompt"], "msg": "field required", "type": "value_error.missing"},
            {"loc": ["body", "input", "image"], "msg": "field required", "type": "value_error.missing"},
            {"loc": ["body", "input", "promt"], "msg": "extra fields not permitted", "type": "value_error.extra"},
        ])
        self.assertEqual(error.status, 422)
        self.assertIn("prompt: field required", str(error))

    def test_input_must_be_an_object(self):
        self.assertEqual(detail(["not", "a", "dict"]),
                         [{"loc": ["body", "input"], "msg": "value is not a valid dict", "type": "type_error.dict"}])

    def test_legacy_inputs_are_checked_the_same_way(self):
        class Predictor(cog.Predictor):
            @cog.input("n", type=int, min=1, max=3)
            @cog.input("mode", type=str, default="a", options=["a", "b"])
            def predict(self, n, mode):
                return n

        info = sg.inspect_predictor(Predictor)
        self.assertEqual(sg.check_inputs(info, {"n": 2}), {"n": 2, "mode": "a"})
        self.assertEqual([d["type"] for d in detail({"n": 4, "mode": "c"}, Predictor)],
                         ["value_error.number.not_le", "type_error.enum"])


class FileInputTest(unittest.TestCase):
    class Files(BasePredictor):
        def predict(self, image: Path, doc: File = None, many: list[Path] = Input(default=[])) -> str:
            return ""

    info = sg.inspect_predictor(Files)

    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp())

    def test_data_urls_become_files_in_the_input_folder(self):
        data = "data:text/plain;base64," + base64.b64encode(b"hello").decode()
        kwargs = sg.validate_inputs(self.info, {"image": data, "doc": "data:,plain%20text",
                                                "many": [data, data]}, self.dir)
        self.assertIsInstance(kwargs["image"], cog.Path)
        self.assertEqual(kwargs["image"].read_bytes(), b"hello")
        self.assertEqual(kwargs["image"].suffix, ".txt")
        self.assertTrue(kwargs["image"].resolve().is_relative_to(self.dir.resolve()))
        self.assertEqual(kwargs["doc"].read(), b"plain text")  # cog.File: an open binary file
        sg.close_inputs(kwargs)
        self.assertTrue(kwargs["doc"].closed)
        self.assertEqual([p.read_bytes() for p in kwargs["many"]], [b"hello", b"hello"])
        self.assertNotEqual(kwargs["many"][0], kwargs["many"][1])

    def test_bad_file_values_are_422(self):
        cases = [
            ("foo", "'' is not a valid URL scheme. 'data', 'http', or 'https' is supported.", "value_error.url.scheme"),
            ("ftp://host/x", "'ftp' is not a valid URL scheme. 'data', 'http', or 'https' is supported.",
             "value_error.url.scheme"),
            ("/etc/passwd", "'' is not a valid URL scheme. 'data', 'http', or 'https' is supported.",
             "value_error.url.scheme"),
            ("data:text/plain;base64,@@@", "invalid data: URL: the base64 payload does not decode", "value_error.url"),
            ("data:nocomma", "invalid data: URL: no comma after the media type", "value_error.url"),
            ("http:///nohost", "URL host invalid", "value_error.url.host"),
            (7, "str type expected", "type_error.str"),
        ]
        for value, msg, kind in cases:
            with self.subTest(value=value):
                self.assertEqual(detail({"image": value}, self.Files),
                                 [{"loc": ["body", "input", "image"], "msg": msg, "type": kind}])

    def test_check_inputs_does_no_io(self):
        kwargs = sg.check_inputs(self.info, {"image": "https://example.invalid/cat.png"})
        self.assertEqual(kwargs["image"], sg.FileRef("image", sg.PATH, url="https://example.invalid/cat.png"))
        self.assertEqual(list(self.dir.iterdir()), [])

    def test_an_injected_downloader_gets_each_http_url(self):
        calls = []

        def fake(url, target_dir):
            calls.append(url)
            path = target_dir / "cat.png"
            path.write_bytes(b"png")
            return path

        kwargs = sg.validate_inputs(self.info, {"image": "https://models.example/cat.png?sig=abc"}, self.dir, fake)
        self.assertEqual(calls, ["https://models.example/cat.png?sig=abc"])
        self.assertEqual(kwargs["image"].read_bytes(), b"png")
        self.assertIsInstance(kwargs["image"], cog.Path)

    def test_a_failed_download_fails_the_prediction_without_leaking_the_query(self):
        def failing(url, target_dir):
            raise OSError("connection refused")

        with self.assertRaises(sg.InputFetchError) as caught:
            sg.validate_inputs(self.info, {"image": "https://user:pw@models.example/cat.png?sig=secret"},
                               self.dir, failing)
        message = str(caught.exception)
        self.assertIn("image: could not download https://models.example/cat.png: connection refused", message)
        self.assertNotIn("secret", message)
        self.assertNotIn("pw", message)

    def test_optional_list_of_paths(self):
        class Maybe(BasePredictor):
            def predict(self, files: Optional[list[Path]] = None) -> str:
                return ""

        info = sg.inspect_predictor(Maybe)
        self.assertEqual(sg.validate_inputs(info, {}, self.dir), {"files": None})
        got = sg.validate_inputs(info, {"files": ["data:,a", "data:,b"]}, self.dir)["files"]
        self.assertEqual([p.read_text() for p in got], ["a", "b"])

    def test_a_local_default_path_is_the_models_own_file(self):
        local = self.dir / "weights.bin"
        local.write_bytes(b"w")

        class WithDefault(BasePredictor):
            def predict(self, weights: Path = Input(default=str(local))) -> str:
                return ""

        self.assertEqual(sg.validate_inputs(sg.inspect_predictor(WithDefault), {}, self.dir)["weights"], local)

    def test_local_paths_given_programmatically_are_used_as_they_are(self):
        local = self.dir / "given.txt"
        local.write_text("x")
        kwargs = sg.validate_inputs(self.info, {"image": local}, self.dir)
        self.assertEqual(kwargs["image"], local)
        self.assertIsInstance(kwargs["image"], cog.Path)


class LoopbackDownloadTest(unittest.TestCase):
    """The default downloader against a real HTTP server on 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/redirect-to-file":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                elif self.path == "/redirect-to-files":
                    self.send_response(302)
                    self.send_header("Location", "/files/moved.txt")
                    self.end_headers()
                elif self.path.startswith("/files/"):
                    body = b"served bytes " * 100
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_error(404)

            def log_message(self, *args):
                pass

        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp())
        self.info = sg.inspect_predictor(FileInputTest.Files)

    def test_downloads_keep_the_file_name(self):
        kwargs = sg.validate_inputs(self.info, {"image": f"{self.base}/files/My%20Photo.png"}, self.dir)
        self.assertEqual(kwargs["image"].name, "My_Photo.png")
        self.assertEqual(kwargs["image"].read_bytes(), b"served bytes " * 100)

    def test_http_errors_fail_the_prediction(self):
        with self.assertRaisesRegex(sg.InputFetchError, "image: could not download .*/missing.png: HTTP Error 404"):
            sg.validate_inputs(self.info, {"image": f"{self.base}/missing.png"}, self.dir)

    def test_too_large_downloads_are_cut_off(self):
        with self.assertRaisesRegex(ValueError, "larger than 10 bytes"):
            sg.download_url(f"{self.base}/files/big.bin", self.dir, max_bytes=10)

    def test_redirects_stay_on_http(self):
        self.assertEqual(sg.download_url(f"{self.base}/redirect-to-files", self.dir).read_bytes(),
                         b"served bytes " * 100)
        with self.assertRaisesRegex(sg.InputFetchError, "could not download"):
            sg.validate_inputs(self.info, {"image": f"{self.base}/redirect-to-file"}, self.dir)
        self.assertFalse(any(p.read_bytes().startswith(b"root:") for p in self.dir.rglob("*") if p.is_file()))

    def test_a_url_default_is_fetched_like_a_given_url(self):
        class WithDefault(BasePredictor):
            def predict(self, image: Path = Input(default=f"{self.base}/files/default.png")) -> str:
                return ""

        kwargs = sg.validate_inputs(sg.inspect_predictor(WithDefault), {}, self.dir)
        self.assertEqual(kwargs["image"].name, "default.png")

    def test_names_cannot_escape_the_folder(self):
        path = sg.download_url(f"{self.base}/files/..%2F..%2Fescape", self.dir)
        self.assertEqual(path.parent, self.dir)


if __name__ == "__main__":
    unittest.main()
