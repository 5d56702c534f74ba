"""The regression corpus of bad inputs: each file is named `<expected code>__<what>.<ext>`."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
GOOD_CASE = '{"case_id": "GOOD-1", "site": "prostate", "facts": {"psa": 6.2, "age": 68}}'


def corpus_files() -> list[Path]:
    return sorted(CORPUS.iterdir())


def expected_code(path: Path) -> str:
    return path.name.split("__", 1)[0]


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")
