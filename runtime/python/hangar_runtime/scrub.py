"""Empties the scrub dirs (HANGAR_SCRUB_DIRS, default /tmp) between the runs of a warm container.

A warm container serves many runs, and a run's scratch files in /tmp must not be there for the
next one. What is kept: what was there when setup ended (the container's own state, such as a
cache setup() wrote, and whatever the image or host put there), matched by name and inode so a
run cannot swap in a file of its own under a kept name, and any entry that holds a path the
runtime itself uses (its socket, output and runs folders, the processor's file, sys.path).
Everything else goes, including read-only folders a run made to survive the scrub.
"""

import os
import shutil
import stat
from pathlib import Path

from .capture import runtime_log


class Scrubber:
    def __init__(self, dirs, own_paths):
        self._dirs = [Path(os.path.abspath(d)) for d in dirs]
        self._own = [Path(os.path.abspath(p)) for p in own_paths]
        self._kept = {}  # dir -> {(name, inode)}

    def keep_what_is_there(self) -> None:
        """Marks the current entries as the container's own; called once, when setup ends."""
        self._kept = {d: {(e.name, e.inode()) for e in _entries(d)} for d in self._dirs}

    def scrub(self) -> int:
        """Removes every entry that is not kept; returns how many went."""
        removed, failed = 0, []
        for d in self._dirs:
            kept = self._kept.get(d, set())
            for entry in _entries(d):
                path = Path(entry.path)
                if (entry.name, entry.inode()) in kept or any(p.is_relative_to(path) for p in self._own):
                    continue
                if _remove(path):
                    removed += 1
                else:
                    failed.append(str(path))
        if failed:
            runtime_log(f"could not scrub {len(failed)} entr{'y' if len(failed) == 1 else 'ies'}: {', '.join(failed[:5])}")
        return removed


def _entries(d: Path) -> list:
    try:
        with os.scandir(d) as it:
            return list(it)
    except OSError:
        return []  # no such folder: nothing to scrub


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            # A folder a run made read-only (or unlistable) would otherwise survive rmtree.
            _writable(path)
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return not os.path.lexists(path)


def _writable(top: Path) -> None:
    try:
        os.chmod(top, stat.S_IRWXU)
    except OSError:
        return
    for root, dirs, _ in os.walk(top):
        for name in dirs:
            sub = os.path.join(root, name)
            if not os.path.islink(sub):
                try:
                    os.chmod(sub, stat.S_IRWXU)
                except OSError:
                    pass
