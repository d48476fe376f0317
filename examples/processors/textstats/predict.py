"""Text statistics: reads one text file and writes stats.json and summary.md.

Deterministic and offline in both modes: the same file gives the same bytes, so runs compare by
digest. The file is read line by line, so memory stays bounded by the vocabulary, not the file.
"""

import json
import os
import re
from collections import Counter
from pathlib import Path

from hangar_runtime.processor import Processor

# A word is a maximal run of Unicode letters and digits; everything else separates words. A
# sentence ends with a run of . ! ? (and closing quotes or brackets) before whitespace or the end
# of the text, once it has at least one word: "3.14" and "..." end nothing.
TOKEN = re.compile(r"(?P<word>[^\W_]+)|(?P<end>[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$))")
WORDS_PER_MINUTE = 200
PROGRESS_EVERY_BYTES = 1 << 20


class Predictor(Processor):
    # Kept identical to inputs_schema in hangar.yaml; a runtime test checks they match.
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["document"],
        "properties": {
            "document": {
                "type": "string",
                "format": "hangar-file",
                "description": "The text file to analyse (UTF-8; invalid bytes count as U+FFFD).",
            },
            "top": {
                "type": "integer",
                "minimum": 1,
                "maximum": 100,
                "default": 10,
                "description": "How many of the most frequent words to list.",
            },
        },
        "additionalProperties": False,
    }

    def predict(self, document, top=10):
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 100:
            raise ValueError(f"top must be an integer from 1 to 100, got {top!r}")
        path = _readable(document)

        self.progress(0.0, f"reading {path.name}")
        counts = self._count(path)
        if counts is None:
            return None  # canceled: write nothing
        print(f"read {counts['bytes']} bytes, {counts['words']} words from {path.name}")

        self.progress(0.9, "ranking words")
        stats = _stats(path.name, counts, top)

        self.progress(0.95, "writing stats.json and summary.md")
        _write(self.output_dir / "stats.json", json.dumps(stats, sort_keys=True, indent=2, separators=(",", ": "), ensure_ascii=False) + "\n")
        _write(self.output_dir / "summary.md", _summary(stats))
        self.progress(1.0, "done")
        # Paths inside the output folder are reported by name; no output.json is written.
        return [self.output_dir / "stats.json", self.output_dir / "summary.md"]

    def _count(self, path: Path):
        size = max(path.stat().st_size, 1)
        n_bytes = n_chars = newlines = n_words = word_chars = sentences = 0
        words = Counter()
        open_sentence = False  # words seen since the last terminator
        last = b""
        next_report = PROGRESS_EVERY_BYTES
        with path.open("rb") as f:
            # Binary lines split at b"\n", which never falls inside a UTF-8 sequence, so decoding
            # line by line gives the same text as decoding the whole file.
            for raw in f:
                if self.canceled:
                    return None
                n_bytes += len(raw)
                newlines += raw.endswith(b"\n")
                last = raw
                line = raw.decode("utf-8", errors="replace")
                n_chars += len(line)
                for match in TOKEN.finditer(line):
                    word = match.group("word")
                    if word:
                        n_words += 1
                        word_chars += len(word)
                        words[word.lower()] += 1
                        open_sentence = True
                    elif open_sentence:
                        sentences += 1
                        open_sentence = False
                if n_bytes >= next_report:
                    self.progress(0.9 * n_bytes / size, f"read {n_bytes >> 20} MiB")
                    next_report += PROGRESS_EVERY_BYTES
        return {
            "bytes": n_bytes,
            "characters": n_chars,
            # Like `wc -l`, plus a last line that has no newline.
            "lines": newlines + (1 if last and not last.endswith(b"\n") else 0),
            "words": n_words,
            "word_characters": word_chars,
            "sentences": sentences + (1 if open_sentence else 0),
            "frequencies": words,
        }


def _readable(document) -> Path:
    if not isinstance(document, str) or not document:
        raise ValueError(f"document must be the path of a text file, got {document!r}")
    path = Path(document)
    if not path.exists():
        raise ValueError(f"document {document} not found")
    if not path.is_file():
        raise ValueError(f"document {document} is not a regular file")
    if not os.access(path, os.R_OK):
        raise ValueError(f"document {document} is not readable")
    return path


def _stats(name: str, counts: dict, top: int) -> dict:
    words = counts["words"]
    ranked = sorted(counts["frequencies"].items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        "document": name,
        "bytes": counts["bytes"],
        "characters": counts["characters"],
        "lines": counts["lines"],
        "words": words,
        "unique_words": len(counts["frequencies"]),
        "sentences": counts["sentences"],
        "average_word_length": round(counts["word_characters"] / words, 2) if words else 0.0,
        "reading_minutes": round(words / WORDS_PER_MINUTE, 2),
        "words_per_minute": WORDS_PER_MINUTE,
        "top_words": [{"word": word, "count": count} for word, count in ranked],
    }


def _summary(stats: dict) -> str:
    lines = [
        f"# {stats['document']}",
        "",
        f"{stats['words']} words ({stats['unique_words']} distinct) in {stats['sentences']} sentences "
        f"and {stats['lines']} lines; {stats['characters']} characters, {stats['bytes']} bytes.",
        f"Average word length {stats['average_word_length']:.2f} characters; "
        f"about {stats['reading_minutes']:.2f} minutes to read at {stats['words_per_minute']} words per minute.",
        "",
        f"## Top {len(stats['top_words'])} words",
        "",
        "| rank | word | count |",
        "|---:|---|---:|",
    ]
    lines += [f"| {i} | {w['word']} | {w['count']} |" for i, w in enumerate(stats["top_words"], 1)]
    return "\n".join(lines) + "\n"


def _write(target: Path, text: str) -> None:
    # Written beside the target and renamed, so a reader never sees half a file; the runtime
    # ignores dot-files when it lists outputs.
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
