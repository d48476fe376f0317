"""Loads the processor class named like Cog's `predict:` key: `/src/predict.py:Predictor`."""

import importlib
import importlib.util
import sys
from pathlib import Path


def load_class(ref: str):
    target, sep, class_name = ref.rpartition(":")
    if not sep or not target or not class_name:
        raise ValueError(f"HANGAR_PREDICTOR must look like /src/predict.py:Predictor, got {ref!r}")
    if target.endswith(".py"):
        module = _load_file(Path(target))
    else:
        module = importlib.import_module(target)
    try:
        return getattr(module, class_name)
    except AttributeError:
        raise ValueError(f"{target} has no class {class_name!r}") from None


def _load_file(path: Path):
    path = path.resolve()
    if not path.is_file():
        raise FileNotFoundError(f"processor file not found: {path}")
    # The processor's own folder goes on sys.path so it can import its sibling modules.
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
