"""The training corpus: the fortune cookies that Debian's `fortunes` package ships.

Each file under /usr/share/games/fortunes is plain UTF-8 text with one fortune per block,
blocks separated by a line holding only `%`. The `.dat` files are indexes and `.u8` files are
symlinks to the same text, so both are skipped. `ascii-art` is skipped too: drawings teach a
language model nothing but spaces.
"""

from pathlib import Path
from typing import Iterator, List

FORTUNES_DIR = Path("/usr/share/games/fortunes")
SKIPPED = {"ascii-art"}


def split_fortunes(text: str) -> List[str]:
    """Splits one fortune file's text on `%` lines; strips each block, drops empty ones."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip() == "%":
            blocks.append("\n".join(current))
            current = []
        else:
            current.append(line.rstrip())
    blocks.append("\n".join(current))
    return [b.strip("\n") for b in blocks if b.strip()]


def fortune_files(directory: Path = FORTUNES_DIR) -> List[Path]:
    """The text files of the corpus, sorted so every run sees them in the same order."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} does not exist: install the Debian package `fortunes`")
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and not p.is_symlink() and p.suffix == "" and p.name not in SKIPPED)


def iter_fortunes(directory: Path = FORTUNES_DIR) -> Iterator[str]:
    """Every fortune of the corpus, in a fixed order."""
    for path in fortune_files(directory):
        yield from split_fortunes(path.read_text(encoding="utf-8", errors="replace"))
