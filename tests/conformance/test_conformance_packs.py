"""The conformance corpus's small packs, run for every backend.

Each pack's tests give expected results worked out by hand (``packs/README.md``): derived
facts, each decision's status, recommended set and missing items, the triage route, the
Standard of Care and the data requests, or the error a bad value gets. Every backend must give
exactly those: the reference semantics (``knowledge.semantics``, for the pack's kernel, its
recorded-only kernel and the exact status's completions), the generated Python kernel and
the SQL backend on DuckDB (Spark runs the same SQL; ``tests/backends/test_spark.py`` holds it
to the Python backend). The SQL backend computes every value of the program in SQL; the
exact status of a provisional decision is then settled per pattern by the engine
(``engine.evaluate.settle_pattern``), as designed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.backends.agreement import case_table

from openmdt.backends import evaluate_cohort
from openmdt.engine.plan import forget_remembered
from openmdt.knowledge import load_pack
from openmdt.knowledge.kernel import reference_kernel
from openmdt.knowledge.model import Pack, PackTest
from openmdt.knowledge.recorded import recorded_only_pack
from openmdt.knowledge.testing import run_pack_test

HERE = Path(__file__).parent
ENGINE_PACKS = HERE.parent / "engine" / "packs"
PACKS = {"kleene": HERE / "packs" / "kleene", "mini": ENGINE_PACKS / "mini",
         "mini-overlay": ENGINE_PACKS / "mini-overlay"}
DEFAULT_DAY = date(2026, 11, 27)


def _reference(pack: Pack, test: PackTest) -> list[str]:
    forget_remembered(pack)  # nothing the generated kernel worked out may answer for it
    failures = list(run_pack_test(pack, test, kernel=reference_kernel(pack),
                                  recorded_kernel=reference_kernel(recorded_only_pack(pack))
                                  ).failures)
    forget_remembered(pack)
    return failures


def _python(pack: Pack, test: PackTest) -> list[str]:
    return list(run_pack_test(pack, test).failures)


def _duckdb(pack: Pack, test: PackTest) -> list[str]:
    as_of = date.fromisoformat(test.as_of) if isinstance(test.as_of, str) else (
        test.as_of or DEFAULT_DAY)
    result = evaluate_cohort(pack, case_table(pack, [test.case]), as_of, "duckdb")
    expect = dict(test.expect)
    if "error" in expect:
        codes = [e.code for e in result.errors]
        return [] if codes == [expect["error"]] else [f"errors {codes}"]
    if result.errors:
        return [f"refused: {[e.message for e in result.errors]}"]
    return _row_failures(expect, result.cases.to_pylist()[0])


def _row_failures(expect: dict[str, Any], row: dict[str, Any]) -> list[str]:
    failures = [f"derived.{name}: {row.get(name)!r} != {value!r}"
                for name, value in (expect.get("derived") or {}).items()
                if row.get(name) != value]
    for decision, wanted in (expect.get("decisions") or {}).items():
        for key, value in (wanted or {}).items():
            got = row[f"{decision}__{key}"]
            same = sorted(got) == sorted(value) if isinstance(value, list) else got == value
            if not same:
                failures.append(f"{decision}.{key}: {got!r} != {value!r}")
    for key in ("route", "standard_of_care"):
        if key in expect and row[key] != expect[key]:
            failures.append(f"{key}: {row[key]!r} != {expect[key]!r}")
    if "data_requests" in expect and sorted(row["data_requests"]) != sorted(
            expect["data_requests"]):
        failures.append(f"data_requests: {row['data_requests']} != {expect['data_requests']}")
    return failures


BACKENDS: dict[str, Callable[[Pack, PackTest], list[str]]] = {
    "reference": _reference, "python": _python, "duckdb": _duckdb}
_CASES = [(name, index, backend) for name, folder in PACKS.items()
          for index in range(len(load_pack(folder).tests)) for backend in BACKENDS]


@pytest.mark.parametrize(("pack_name", "index", "backend"), _CASES,
                         ids=[f"{p}-{i}-{b}" for p, i, b in _CASES])
def test_every_backend_gives_the_hand_worked_results(pack_name: str, index: int,
                                                     backend: str) -> None:
    pack = load_pack(PACKS[pack_name])
    test = pack.tests[index]
    assert BACKENDS[backend](pack, test) == [], test.name


def test_the_corpus_packs_cover_the_constructs_that_differ_between_backends() -> None:
    """Unknown table rows, forcing and weighed arguments, at_least, coalesce and dates."""
    text = " ".join(path.read_text() for path in (HERE / "packs" / "kleene").rglob("*.yaml"))
    for construct in ("table:", "excluding", "against", "at_least(", "coalesce(",
                      "years_between(", "applies_when", "exclusions"):
        assert construct in text, construct


def test_a_planted_difference_in_the_reference_is_caught(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """The corpus has teeth: a reference whose tables ignore unknown rows fails it."""
    from openmdt.knowledge import semantics

    def first_known(possible: list[Any]) -> Any:
        return next((v for v in possible if v is not semantics.UNKNOWN), semantics.UNKNOWN)

    monkeypatch.setattr(semantics, "resolve_possible", first_known)
    pack = load_pack(PACKS["kleene"])
    failing = [t.name for t in pack.tests if _reference(pack, t)]
    assert failing, "no hand-worked result caught the planted change"
