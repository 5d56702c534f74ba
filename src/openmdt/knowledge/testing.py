"""Running a pack's own tests: facts in, expected derived facts, decisions and route out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openmdt.engine.result import DecisionRecord, EvaluationRecord
from openmdt.knowledge.model import Pack, PackTest

DEFAULT_TEST_DATE = date(2026, 1, 1)


@dataclass(frozen=True)
class PackTestResult:
    """One pack test's outcome: the failures found (empty when it passed)."""

    test: PackTest
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    return DEFAULT_TEST_DATE


def _compare(label: str, expected: Any, actual: Any, as_set: bool = False) -> list[str]:
    if as_set and isinstance(expected, list) and isinstance(actual, list):
        if sorted(map(str, expected)) != sorted(map(str, actual)):
            return [f"{label}: expected {sorted(expected)}, got {sorted(actual)}"]
        return []
    if expected != actual:
        return [f"{label}: expected {expected!r}, got {actual!r}"]
    return []


def _decision_value(decision: DecisionRecord, key: str) -> Any:
    values = {"status": decision.status, "applies": decision.applies,
              "recommended": list(decision.recommended), "missing": list(decision.missing)}
    return values.get(key, "<not an expectation of a decision>")


def _check_decisions(expected: dict[str, Any], output: EvaluationRecord) -> list[str]:
    failures = []
    for decision_id, wanted in expected.items():
        got = output.decision(decision_id)
        if got is None:
            failures.append(f"decision {decision_id!r} does not exist")
            continue
        for key, value in (wanted or {}).items():
            if key in ("recommended", "missing"):
                failures += _compare(f"{decision_id}.{key}", value, _decision_value(got, key),
                                     as_set=True)
            elif key == "not_recommended":
                failures += [f"{decision_id}: no candidate {option!r}" for option in value
                             if got.option(option) is None]
                overlap = set(value) & set(got.recommended)
                if overlap:
                    failures.append(f"{decision_id}: {sorted(overlap)} should not be recommended")
            else:
                failures += _compare(f"{decision_id}.{key}", value, _decision_value(got, key))
    return failures


def check_expectations(expect: dict[str, Any], output: dict[str, Any]) -> list[str]:
    """Every way ``output`` (an evaluation's JSON, parsed) differs from the test's expectations."""
    record = EvaluationRecord.read(output)
    failures: list[str] = []
    for name, value in (expect.get("derived") or {}).items():
        failures += _compare(f"derived.{name}", value, record.derived.get(name, "<absent>"))
    failures += _check_decisions(expect.get("decisions") or {}, record)
    if "assumed" in expect:
        failures += _compare("assumed", expect["assumed"] or {}, dict(record.assumed))
    triage = record.triage
    for key in ("route", "standard_of_care"):
        if key in expect:
            failures += _compare(key, expect[key], getattr(triage, key))
    requests = list(triage.data_requests)
    if "data_requests" in expect:
        failures += _compare("data_requests", expect["data_requests"], requests, as_set=True)
    missing = set(expect.get("data_requests_include") or []) - set(requests)
    if missing:
        failures.append(f"data_requests: expected to include {sorted(missing)}, got {requests}")
    if "conflicts" in expect:
        failures += _compare("conflicts", list(expect["conflicts"] or []),
                             [c.id for c in record.conflicts], as_set=True)
    for phrase in expect.get("reasons_include") or []:
        if not any(phrase.lower() in r.lower() for r in triage.reasons):
            failures.append(f"no triage reason mentions {phrase!r}: {list(triage.reasons)}")
    return failures


def run_pack_test(pack: Pack, test: PackTest, kernel: Any = None,
                  recorded_kernel: Any = None) -> PackTestResult:
    """Evaluate one pack test's case and compare with its expectations (with ``kernel`` and
    ``recorded_kernel`` instead of the pack's own when given: the conformance corpus runs
    the reference semantics this way)."""
    from openmdt.cases.errors import CaseError
    from openmdt.engine import evaluate

    expected_error = test.expect.get("error")
    try:
        output = evaluate(pack, dict(test.case), as_of=_as_date(test.as_of),
                          kernel=kernel, recorded_kernel=recorded_kernel).to_dict()
    except CaseError as exc:
        if expected_error == exc.code:
            return PackTestResult(test, ())
        return PackTestResult(test, (f"input rejected: {exc.code}: {exc.message}",))
    if expected_error:
        return PackTestResult(test, (f"expected error {expected_error!r}, case was accepted",))
    return PackTestResult(test, tuple(check_expectations(dict(test.expect), output)))


def run_pack_tests(pack: Pack) -> list[PackTestResult]:
    """Every test of the pack, in file order."""
    return [run_pack_test(pack, test) for test in pack.tests]
