"""Turns what predict() returned into files in the output folder.

Paths are copied in (keeping their names) and replaced by their names relative to the folder;
any other value is written to output.json in one canonical form, so the same value always gives
the same bytes, which is what makes mock runs comparable by digest.
"""

import json
import os
import shutil
import threading
from pathlib import Path, PurePath

OUTPUT_JSON = "output.json"


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


def collect(value, output_dir: Path, create: bool = True):
    """Writes value's files or JSON into output_dir; returns the `output` to report.

    create=False for a run's own folder: the executor made it, and if it is gone (moved out after
    a deadline) writing fails rather than planting a new one in the container's mount.
    """
    if create:
        output_dir.mkdir(parents=True, exist_ok=True)
    if _has_path(value):
        return _place_paths(value, output_dir.resolve(), {})
    if value is None:
        return None
    text = canonical_json(value)
    # A name of its own: jobs running at once in one default folder must not move each other's file.
    tmp = output_dir / f".{OUTPUT_JSON}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, output_dir / OUTPUT_JSON)
    # Report exactly what the file holds (tuples become lists, keys become strings).
    return json.loads(text)


def snapshot(output_dir: Path) -> dict:
    """Size and mtime of every file, to tell afterwards which ones a job wrote."""
    files = {}
    if output_dir.is_dir():
        for path in output_dir.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                files[path.relative_to(output_dir).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return files


def changed_files(output_dir: Path, before: dict) -> list:
    after = snapshot(output_dir)
    return sorted(name for name, state in after.items() if before.get(name) != state)


def _has_path(value) -> bool:
    if isinstance(value, PurePath):
        return True
    if isinstance(value, dict):
        return any(_has_path(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_path(v) for v in value)
    return False


def _place_paths(value, output_dir: Path, placed: dict):
    if isinstance(value, PurePath):
        return _place(Path(value), output_dir, placed)
    if isinstance(value, dict):
        return {k: _place_paths(v, output_dir, placed) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_place_paths(v, output_dir, placed) for v in value]
    return value


def _place(path: Path, output_dir: Path, placed: dict) -> str:
    source = path.resolve()
    if not source.exists():
        raise FileNotFoundError(f"predict() returned a path that does not exist: {path}")
    if source.is_relative_to(output_dir):
        return source.relative_to(output_dir).as_posix()
    if source in placed:
        return placed[source]
    name = _free_name(source.name, set(placed.values()))
    target = output_dir / name
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)
    placed[source] = name
    return name


def _free_name(name: str, taken: set) -> str:
    """The file's own name, unless this job already placed another file under it."""
    if name not in taken:
        return name
    stem, suffix = os.path.splitext(name)
    n = 1
    while f"{stem}-{n}{suffix}" in taken:
        n += 1
    return f"{stem}-{n}{suffix}"
