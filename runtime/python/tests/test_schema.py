"""Schemas derived from predictor signatures, compared with what Cog generates for the same code."""

import unittest
from typing import Any, AsyncIterator, Iterator, Literal, Optional, Union

import cog
from cog import BaseModel, BasePredictor, BaseRunner, ConcatenateIterator, File, Input, Path, Secret
from hangar_runtime import signature as sg


class Multi(BasePredictor):
    def predict(
        self,
        prompt: str = Input(description="Prompt", min_length=1, max_length=50, regex="^[a-z ]+$"),
        steps: int = Input(description="Steps", default=20, ge=1, le=50),
        scale: float = 7,
        sampler: str = Input(description="Sampler", choices=["ddim", "euler"], default="euler"),
        image: Path = Input(description="Start image"),
        token: Secret = Input(description="Token", default=None),
        seed: Optional[int] = Input(description="Seed"),
        tags: list[str] = Input(description="Tags", default=["x", "y"]),
        old: bool = Input(description="Old flag", default=True, deprecated=True),
    ) -> Path:
        raise NotImplementedError


# Written by hand from Cog's rules (python/cog/_schemas.py): choices become an allOf reference to a
# component named after the input; ge/le are floats; Optional is nullable and not required.
MULTI_INPUT = {
    "title": "Input",
    "type": "object",
    "properties": {
        "prompt": {"x-order": 0, "title": "Prompt", "type": "string", "description": "Prompt",
                   "minLength": 1, "maxLength": 50, "pattern": "^[a-z ]+$"},
        "steps": {"x-order": 1, "title": "Steps", "type": "integer", "default": 20, "description": "Steps",
                  "minimum": 1.0, "maximum": 50.0},
        "scale": {"x-order": 2, "title": "Scale", "type": "number", "default": 7.0},
        "sampler": {"x-order": 3, "allOf": [{"$ref": "#/components/schemas/sampler"}], "default": "euler",
                    "description": "Sampler"},
        "image": {"x-order": 4, "title": "Image", "type": "string", "format": "uri", "description": "Start image"},
        "token": {"x-order": 5, "title": "Token", "type": "string", "format": "password", "writeOnly": True,
                  "x-cog-secret": True, "nullable": True, "description": "Token"},
        "seed": {"x-order": 6, "title": "Seed", "type": "integer", "nullable": True, "description": "Seed"},
        "tags": {"x-order": 7, "title": "Tags", "type": "array", "items": {"type": "string"}, "default": ["x", "y"],
                 "description": "Tags"},
        "old": {"x-order": 8, "title": "Old", "type": "boolean", "default": True, "description": "Old flag",
                "deprecated": True},
    },
    "required": ["prompt", "image"],
}
MULTI_ENUMS = {"sampler": {"title": "sampler", "description": "An enumeration.", "enum": ["ddim", "euler"],
                           "type": "string"}}


def predictor(annotation, **inputs):
    """A BasePredictor whose predict() takes `inputs` ({name: (type, default)}) and returns `annotation`."""
    params = [f"{name}: __t_{name}" + ("" if default is sg.MISSING else f" = __d_{name}")
              for name, (tpe, default) in inputs.items()]
    namespace = {f"__t_{n}": t for n, (t, _) in inputs.items()}
    namespace.update({f"__d_{n}": d for n, (_, d) in inputs.items()})
    namespace["__r"] = annotation
    exec(f"def predict(self, {', '.join(params)}) -> __r:\n    pass", namespace)  # noqa: S102 -- test helper
    return type("P", (BasePredictor,), {"predict": namespace["predict"]})


def input_prop(tpe, default=sg.MISSING):
    return sg.input_schema(sg.inspect_predictor(predictor(str, x=(tpe, default))))["properties"]["x"]


def output_of(annotation):
    return sg.output_schema(sg.inspect_predictor(predictor(annotation)))


class InputSchemaTest(unittest.TestCase):
    def test_multi_input_predictor_matches_the_hand_checked_schema(self):
        info = sg.inspect_predictor(Multi)
        self.assertEqual(sg.input_schema(info), MULTI_INPUT)
        self.assertEqual(sg.enum_schemas(info), MULTI_ENUMS)
        self.assertEqual(sg.output_schema(info), {"title": "Output", "type": "string", "format": "uri"})
        self.assertEqual(info.secret_inputs, ("token",))

    def test_each_type(self):
        cases = [
            (str, {"type": "string"}), (int, {"type": "integer"}), (float, {"type": "number"}),
            (bool, {"type": "boolean"}), (Path, {"type": "string", "format": "uri"}),
            (File, {"type": "string", "format": "uri"}),
            (Secret, {"type": "string", "format": "password", "writeOnly": True, "x-cog-secret": True}),
            (dict, {"type": "object"}), (Any, {"type": "object"}),
            (list[int], {"type": "array", "items": {"type": "integer"}}),
            (list[Path], {"type": "array", "items": {"type": "string", "format": "uri"}}),
        ]
        for tpe, schema in cases:
            with self.subTest(tpe=tpe):
                self.assertEqual(input_prop(tpe), {"x-order": 0, "title": "X", **schema})

    def test_optional_and_none_default_are_not_required(self):
        for tpe, default in ((Optional[str], sg.MISSING), (str | None, None), (str, Input(default=None)),
                             (str, None)):
            with self.subTest(tpe=tpe, default=default):
                info = sg.inspect_predictor(predictor(str, x=(tpe, default)))
                self.assertNotIn("required", sg.input_schema(info))
                self.assertEqual(sg.check_inputs(info, {}), {"x": None})

    def test_literal_is_an_enum_like_choices(self):
        info = sg.inspect_predictor(predictor(str, x=(Literal[1, 2, 3], 2)))
        self.assertEqual(sg.input_schema(info)["properties"]["x"],
                         {"x-order": 0, "allOf": [{"$ref": "#/components/schemas/x"}], "default": 2})
        self.assertEqual(sg.enum_schemas(info)["x"]["type"], "integer")
        self.assertEqual(sg.enum_schemas(info)["x"]["enum"], [1, 2, 3])
        self.assertEqual(sg.check_inputs(info, {"x": "3"}), {"x": 3})
        with self.assertRaises(sg.InputValidationError) as caught:
            sg.check_inputs(info, {"x": 4})
        self.assertEqual(caught.exception.detail[0]["type"], "type_error.enum")

    def test_title_turns_underscores_into_words(self):
        info = sg.inspect_predictor(predictor(str, num_inference_steps=(int, 1)))
        self.assertEqual(sg.input_schema(info)["properties"]["num_inference_steps"]["title"], "Num Inference Steps")

    def test_plain_defaults_without_input_are_valid(self):
        class P(BasePredictor):
            def predict(self, iterations: int, prompt: str = "default prompt") -> str:
                return prompt

        schema = sg.input_schema(sg.inspect_predictor(P))
        self.assertEqual(schema["required"], ["iterations"])
        self.assertEqual(schema["properties"]["prompt"]["default"], "default prompt")


class OutputSchemaTest(unittest.TestCase):
    def test_each_output_type(self):
        class Out(BaseModel):
            text: str
            file: Path
            score: Optional[float]
            many: list[int]

        cases = [
            (str, {"type": "string"}), (int, {"type": "integer"}), (float, {"type": "number"}),
            (bool, {"type": "boolean"}), (Path, {"type": "string", "format": "uri"}),
            (File, {"type": "string", "format": "uri"}), (dict, {"type": "object"}),
            (dict[str, int], {"type": "object", "additionalProperties": {"type": "integer"}}),
            (list, {"type": "array", "items": {"type": "object"}}),
            (list[Path], {"type": "array", "items": {"type": "string", "format": "uri"}}),
            (Any, {}),
            (None, {}),
            (Out, {"type": "object", "required": ["text", "file", "score", "many"], "properties": {
                "text": {"type": "string", "title": "Text"},
                "file": {"type": "string", "format": "uri", "title": "File"},
                "score": {"type": "number", "title": "Score"},
                "many": {"type": "array", "items": {"type": "integer"}, "title": "Many"}}}),
            (Iterator[str], {"type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator"}),
            (Iterator[Path], {"type": "array", "items": {"type": "string", "format": "uri"},
                              "x-cog-array-type": "iterator"}),
            (AsyncIterator[int], {"type": "array", "items": {"type": "integer"}, "x-cog-array-type": "iterator"}),
            (ConcatenateIterator[str], {"type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator",
                                        "x-cog-array-display": "concatenate"}),
            (cog.AsyncConcatenateIterator[str], {"type": "array", "items": {"type": "string"},
                                                 "x-cog-array-type": "iterator",
                                                 "x-cog-array-display": "concatenate"}),
        ]
        for annotation, schema in cases:
            with self.subTest(annotation=annotation):
                self.assertEqual(output_of(annotation), {"title": "Output", **schema})

    def test_iterator_outputs_are_marked_for_streaming(self):
        self.assertTrue(sg.inspect_predictor(predictor(Iterator[str])).output.iterator)
        self.assertTrue(sg.inspect_predictor(predictor(ConcatenateIterator[str])).output.concatenate)
        self.assertFalse(sg.inspect_predictor(predictor(list[str])).output.iterator)


class RefusalTest(unittest.TestCase):
    def assert_refused(self, make, message):
        with self.assertRaisesRegex(sg.SignatureError, message):
            sg.inspect_predictor(make())

    def test_optional_and_union_outputs_are_refused_with_the_reason(self):
        self.assert_refused(lambda: predictor(Optional[str]), "output must not be Optional")
        self.assert_refused(lambda: predictor(str | None), "output must not be Optional")
        self.assert_refused(lambda: predictor(Union[str, int]), "must not be a Union")

    def test_bad_signatures(self):
        class Unannotated(BasePredictor):
            def predict(self, x) -> str:
                return x

        class NoReturn(BasePredictor):
            def predict(self, x: str):
                return x

        class VarArgs(BasePredictor):
            def predict(self, *args: str) -> str:
                return ""

        class VarKw(BasePredictor):
            def predict(self, **kwargs: str) -> str:
                return ""

        cases = [
            (lambda: Unannotated, "missing type annotation for input: x"),
            (lambda: NoReturn, "must have a return type annotation"),
            (lambda: VarArgs, r"must not have \*args"),
            (lambda: VarKw, r"must not have \*\*kwargs"),
            (lambda: predictor(str, x=(Union[int, str], 1)), "unsupported union type"),
            (lambda: predictor(str, x=(bytes, b"")), "unsupported Cog type bytes"),
            (lambda: predictor(str, x=(list[list[int]], [])), "List cannot have nested type list"),
            (lambda: predictor(str, x=(Literal["a", 1], "a")), "Literal values must all be str or all be int"),
            (lambda: predictor(ConcatenateIterator[int]), "must have str element"),
            (lambda: predictor(Iterator[Optional[str]]), "must not be Optional or List"),
            (lambda: predictor(str, x=(str, Input(ge=1))), "incompatible input type for ge/le: x: str"),
            (lambda: predictor(str, x=(int, Input(min_length=1))), "incompatible input type for min_length"),
            (lambda: predictor(str, x=(int, Input(regex="a"))), "incompatible input type for regex"),
            (lambda: predictor(str, x=(str, Input(regex="("))), "invalid regex"),
            (lambda: predictor(str, x=(float, Input(choices=[1.0, 2.0]))), "incompatible input type for choices"),
            (lambda: predictor(str, x=(str, Input(choices=["a"]))), "must have >= 2 elements"),
            (lambda: predictor(str, x=(int, Input(choices=[1, 2], ge=0))), "mutually exclusive"),
            (lambda: predictor(str, x=(str, Input(choices=["a", 1]))), "same type as input"),
            (lambda: predictor(str, x=(int, Input(default=0, ge=1))), "invalid default for x: ensure this value"),
            (lambda: predictor(str, x=(str, Input(default="A", regex="^a$"))), "invalid default for x"),
            (lambda: predictor(str, x=(int, Input(default="many"))), "invalid default for x: value is not a valid"),
        ]
        for make, message in cases:
            with self.subTest(message=message):
                self.assert_refused(make, message)

    def test_a_class_without_the_method(self):
        with self.assertRaisesRegex(sg.SignatureError, "has no train"):
            sg.inspect_predictor(Multi, "train")

        class Empty(BasePredictor):
            pass

        class EmptyRunner(BaseRunner):
            pass

        with self.assertRaisesRegex(sg.SignatureError, r"Empty does not implement predict\(\)"):
            sg.inspect_predictor(Empty)
        with self.assertRaisesRegex(sg.SignatureError, r"EmptyRunner does not implement run\(\)"):
            sg.inspect_predictor(EmptyRunner)


class ShapesTest(unittest.TestCase):
    def test_base_runner_uses_run(self):
        class Runner(BaseRunner):
            def run(self, name: str = Input(description="Name")) -> str:
                return name

        info = sg.inspect_predictor(Runner)
        self.assertEqual(info.method, "run")
        self.assertEqual(list(sg.input_schema(info)["properties"]), ["name"])
        self.assertEqual(info.entry(Runner())(name="x"), "x")

    def test_function_predictors_and_trainers(self):
        def train(data: Path, steps: int = 3) -> str:
            return "weights"

        info = sg.inspect_predictor(train)
        self.assertIsNone(info.method)
        self.assertEqual(sg.input_schema(info)["required"], ["data"])
        self.assertIs(info.entry(train), train)

    def test_legacy_predictor_and_input_decorators(self):
        class Predictor(cog.Predictor):
            @cog.input("text", type=str, help="Text")
            @cog.input("image", type=Path, help="An image")
            @cog.input("n", type=int, default=2, min=1, max=3)
            @cog.input("mode", type=str, default="a", options=["a", "b"])
            def predict(self, text, image, n, mode):
                return text

        info = sg.inspect_predictor(Predictor)
        schema = sg.input_schema(info)
        self.assertEqual(list(schema["properties"]), ["text", "image", "n", "mode"])
        self.assertEqual(schema["required"], ["text", "image"])
        self.assertEqual(schema["properties"]["text"], {"x-order": 0, "title": "Text", "type": "string",
                                                        "description": "Text"})
        self.assertEqual(schema["properties"]["n"]["minimum"], 1.0)
        self.assertEqual(sg.enum_schemas(info)["mode"]["enum"], ["a", "b"])
        self.assertEqual(sg.output_schema(info), {"title": "Output"})

    def test_plain_hangar_classes_keep_their_declared_schema_and_pass_inputs_through(self):
        class Plain:
            input_schema = {"type": "object", "properties": {"text": {"type": "string"}}}

            def predict(self, **inputs):
                return inputs

        info = sg.inspect_predictor(Plain)
        self.assertFalse(info.typed)
        self.assertEqual(sg.input_schema(info), Plain.input_schema)
        self.assertEqual(sg.check_inputs(info, {"anything": [1]}), {"anything": [1]})

        class Bare:
            def predict(self, text, fail=False):
                return text

        self.assertEqual(sg.input_schema(Bare), {"title": "Input", "type": "object"})

    def test_streaming_and_async_are_detected(self):
        class P(BasePredictor):
            @cog.streaming
            async def predict(self) -> cog.AsyncConcatenateIterator[str]:
                yield "a"

        info = sg.inspect_predictor(P)
        self.assertTrue(info.streaming and info.is_async and info.output.iterator)
        self.assertFalse(sg.inspect_predictor(Multi).streaming)

    def test_string_annotations_resolve(self):
        namespace = {}
        exec("from __future__ import annotations\nfrom cog import BasePredictor, Path\n"  # noqa: S102
             "class P(BasePredictor):\n    def predict(self, p: Path) -> Path:\n        return p\n", namespace)
        self.assertEqual(sg.input_schema(namespace["P"])["properties"]["p"]["format"], "uri")


class OpenApiDocumentTest(unittest.TestCase):
    def test_document_shape_is_cogs(self):
        doc = sg.openapi_document(Multi)
        self.assertEqual(doc["openapi"], "3.0.2")
        self.assertEqual(doc["info"], {"title": "Cog", "version": "0.1.0"})
        self.assertEqual(set(doc["paths"]), {"/", "/health-check", "/shutdown", "/predictions",
                                             "/predictions/{prediction_id}", "/predictions/{prediction_id}/cancel"})
        schemas = doc["components"]["schemas"]
        self.assertEqual(schemas["Input"], MULTI_INPUT)
        self.assertEqual(schemas["sampler"], MULTI_ENUMS["sampler"])
        self.assertEqual(schemas["PredictionRequest"]["properties"]["input"], {"$ref": "#/components/schemas/Input"})
        self.assertEqual(schemas["PredictionResponse"]["properties"]["output"], {"$ref": "#/components/schemas/Output"})
        self.assertEqual(schemas["Status"]["enum"], ["starting", "processing", "succeeded", "canceled", "failed"])
        self.assertEqual(schemas["ValidationError"]["required"], ["loc", "msg", "type"])
        post = doc["paths"]["/predictions"]["post"]
        self.assertEqual(post["operationId"], "predict_predictions_post")
        self.assertEqual(post["responses"]["422"]["content"]["application/json"]["schema"],
                         {"$ref": "#/components/schemas/HTTPValidationError"})
        self.assertNotIn("/trainings", doc["paths"])
        for ref in _refs(doc):
            self.assertIn(ref.rsplit("/", 1)[1], schemas, ref)

    def test_training_adds_its_own_input_and_output(self):
        def train(steps: int = Input(default=1, ge=1), kind: str = Input(choices=["a", "b"], default="a")) -> Path:
            raise NotImplementedError

        doc = sg.openapi_document(Multi, train)
        schemas = doc["components"]["schemas"]
        self.assertEqual(schemas["TrainingInput"]["title"], "TrainingInput")
        self.assertEqual(list(schemas["TrainingInput"]["properties"]), ["steps", "kind"])
        self.assertEqual(schemas["TrainingOutput"], {"title": "TrainingOutput", "type": "string", "format": "uri"})
        self.assertIn("kind", schemas)
        self.assertIn("/trainings/{training_id}/cancel", doc["paths"])
        self.assertEqual(schemas["TrainingRequest"]["properties"]["input"],
                         {"$ref": "#/components/schemas/TrainingInput"})
        for ref in _refs(doc):
            self.assertIn(ref.rsplit("/", 1)[1], schemas, ref)

    def test_a_class_with_train_method(self):
        class Both(BasePredictor):
            def predict(self, x: str) -> str:
                return x

            def train(self, steps: int) -> str:
                return "w"

        doc = sg.openapi_document(Both, Both)
        self.assertEqual(list(doc["components"]["schemas"]["TrainingInput"]["properties"]), ["steps"])

    def test_enum_collision_between_train_and_predict_is_refused(self):
        def train(sampler: str = Input(choices=["x", "y"], default="x")) -> str:
            return ""

        with self.assertRaisesRegex(sg.SignatureError, "different choices"):
            sg.openapi_document(Multi, train)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


if __name__ == "__main__":
    unittest.main()
