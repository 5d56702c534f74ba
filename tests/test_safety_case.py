"""The clinical safety case is tested: every hazard is complete, rated by the DCB0129 matrix,
and linked to tests that exist.

`docs/safety/hazard-log.md` has one `### H-NNN Title` section per hazard, a two-column
`| Field | Entry |` table and one line `Tests: <name>; <name>`. A pytest test is written
`tests/<path>.py::<function>` (or `::<Class>::<method>`); a pack test is written
`pack:<pack id>::<test name>` and must be the exact name of one of that pack's tests.
This file checks that the tests exist, not that they pass: CI runs them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from openmdt.knowledge import PackLoadError, load_pack

ROOT = Path(__file__).resolve().parent.parent
SAFETY = ROOT / "docs" / "safety"
HAZARD_LOG = SAFETY / "hazard-log.md"
REPORT = SAFETY / "safety-case-report.md"

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
# DCB0129 clinical risk (1-5): MATRIX[likelihood][severity index].
MATRIX = {
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}
REQUIRED_FIELDS = ("Cause", "Effect", "Identified from", "Existing controls", "Control status",
                   "Severity", "Likelihood", "Risk", "Residual likelihood", "Residual risk",
                   "Residual status")
CONTROL_STATUSES = ("in place", "partial", "pending")
RESIDUAL_STATUSES = ("Open", "ALARP claimed")

HEADING = re.compile(r"^### (H-\d{3}) (\S.*)$")
ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*(.*?)\s*\|$")
TESTS_LINE = re.compile(r"^Tests: (.*)$")


@dataclass
class Hazard:
    """One hazard section of the log: its fields and its linked tests."""

    id: str
    title: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    tests: list[str] = field(default_factory=list)
    tests_lines: int = 0


def parse_hazard_log(text: str) -> list[Hazard]:
    """Every `### H-NNN` section of the hazard log, in order."""
    hazards: list[Hazard] = []
    for number, line in enumerate(text.splitlines(), start=1):
        heading = HEADING.match(line)
        if heading:
            hazards.append(Hazard(heading.group(1), heading.group(2), number))
            continue
        if line.startswith("## "):
            continue
        if not hazards:
            continue
        hazard = hazards[-1]
        row = ROW.match(line)
        if row and row.group(1) not in ("Field",) and not set(row.group(1)) <= set("-: "):
            hazard.fields[row.group(1)] = row.group(2)
        tests = TESTS_LINE.match(line)
        if tests:
            hazard.tests_lines += 1
            hazard.tests += [name.strip() for name in tests.group(1).split(";") if name.strip()]
    return hazards


HAZARDS = parse_hazard_log(HAZARD_LOG.read_text(encoding="utf-8"))
HAZARD_IDS = [hazard.id for hazard in HAZARDS]


def _by_id(hazard_id: str) -> Hazard:
    return next(hazard for hazard in HAZARDS if hazard.id == hazard_id)


# -- finding linked tests -------------------------------------------------------------------

@cache
def _pack_test_names(pack_id: str) -> frozenset[str] | str:
    """The names of a pack's tests, or why they cannot be read."""
    try:
        return frozenset(test.name for test in load_pack(pack_id).tests)
    except PackLoadError as exc:
        return f"pack {pack_id!r} does not load ({len(exc.diagnostics)} problem(s))"


def _pytest_test_problem(reference: str) -> str | None:
    """Why a `tests/...py::name` reference does not name a test, or None when it does."""
    path_text, _, rest = reference.partition("::")
    parts = [part.split("[", 1)[0] for part in rest.split("::")] if rest else []
    if not path_text.startswith("tests/") or not path_text.endswith(".py") or not parts:
        return "is not of the form tests/<path>.py::<test function>"
    path = ROOT / path_text
    if not path.is_file():
        return f"file {path_text} does not exist"
    source = path.read_text(encoding="utf-8")
    *classes, function = parts
    for name in classes:
        if not re.search(rf"^\s*class {re.escape(name)}\b", source, re.MULTILINE):
            return f"{path_text} defines no class {name}"
    if not function.startswith("test"):
        return f"{function} is not a test function name"
    if not re.search(rf"^\s*(async\s+)?def {re.escape(function)}\(", source, re.MULTILINE):
        return f"{path_text} defines no 'def {function}'"
    return None


def _pack_test_problem(reference: str) -> str | None:
    """Why a `pack:<id>::<name>` reference does not name a pack test, or None when it does."""
    pack_id, separator, name = reference.removeprefix("pack:").partition("::")
    if not separator or not pack_id or not name:
        return "is not of the form pack:<pack id>::<test name>"
    names = _pack_test_names(pack_id)
    if isinstance(names, str):
        return names
    if name not in names:
        return f"pack {pack_id} has no test named {name!r}"
    return None


def linked_test_problem(reference: str) -> str | None:
    """Why a linked test reference names no existing test, or None when it does."""
    if reference.startswith("pack:"):
        return _pack_test_problem(reference)
    return _pytest_test_problem(reference)


# -- the log as a whole ---------------------------------------------------------------------

def test_the_log_has_hazards_numbered_in_order() -> None:
    assert len(HAZARDS) >= 20, f"{HAZARD_LOG} lists only {len(HAZARDS)} hazards"
    expected = [f"H-{n:03d}" for n in range(1, len(HAZARDS) + 1)]
    assert expected == HAZARD_IDS, (
        f"hazard ids in {HAZARD_LOG.name} must run H-001, H-002, ... without gaps or repeats; "
        f"found {HAZARD_IDS}")


def test_the_matrix_in_the_log_is_the_one_checked_here() -> None:
    text = HAZARD_LOG.read_text(encoding="utf-8")
    for likelihood, risks in MATRIX.items():
        row = f"| {likelihood} | " + " | ".join(str(risk) for risk in risks) + " |"
        assert row in text, f"the risk matrix in {HAZARD_LOG.name} lacks the row {row!r}"


def test_the_parser_reads_a_hazard_section() -> None:
    text = ("## Hazards\n\n### H-001 Example\n\n| Field | Entry |\n|---|---|\n"
            "| Cause | a cause |\n| Risk | 3 |\n\nTests: tests/a.py::test_x; pack:p::a name\n")
    (hazard,) = parse_hazard_log(text)
    assert (hazard.id, hazard.title, hazard.line) == ("H-001", "Example", 3)
    assert hazard.fields == {"Cause": "a cause", "Risk": "3"}
    assert hazard.tests == ["tests/a.py::test_x", "pack:p::a name"]


def test_a_missing_test_is_named() -> None:
    assert linked_test_problem("tests/test_safety_case.py::test_a_missing_test_is_named") is None
    assert "defines no 'def test_nowhere'" in linked_test_problem(
        "tests/test_safety_case.py::test_nowhere")
    assert "does not exist" in linked_test_problem("tests/nowhere.py::test_x")
    assert "not of the form" in linked_test_problem("test_x")


# -- each hazard ----------------------------------------------------------------------------

@pytest.mark.parametrize("hazard_id", HAZARD_IDS)
def test_hazard_has_every_field(hazard_id: str) -> None:
    hazard = _by_id(hazard_id)
    missing = [name for name in REQUIRED_FIELDS if not hazard.fields.get(name, "").strip()]
    assert not missing, (
        f"{hazard.id} ({hazard.title}, line {hazard.line}) has no {', '.join(missing)}")
    status = hazard.fields["Control status"]
    assert status.startswith(CONTROL_STATUSES), (
        f"{hazard.id}: Control status {status!r} must start with one of {CONTROL_STATUSES}")
    residual = hazard.fields["Residual status"]
    assert residual.startswith(RESIDUAL_STATUSES), (
        f"{hazard.id}: Residual status {residual!r} must start with one of {RESIDUAL_STATUSES}")


@pytest.mark.parametrize("hazard_id", HAZARD_IDS)
def test_pending_control_is_said_in_the_controls(hazard_id: str) -> None:
    hazard = _by_id(hazard_id)
    if hazard.fields.get("Control status", "").startswith("in place"):
        return
    assert "Control pending" in hazard.fields.get("Existing controls", ""), (
        f"{hazard.id}: a partial or pending control must say 'Control pending (issue #N)' "
        "in Existing controls")
    assert hazard.fields.get("Residual status", "").startswith("Open"), (
        f"{hazard.id}: the residual risk of a hazard whose control is pending must be Open")


@pytest.mark.parametrize("hazard_id", HAZARD_IDS)
def test_hazard_links_at_least_one_test(hazard_id: str) -> None:
    hazard = _by_id(hazard_id)
    assert hazard.tests_lines == 1, (
        f"{hazard.id} ({hazard.title}) needs exactly one line 'Tests: <name>; <name>', "
        f"found {hazard.tests_lines}")
    assert hazard.tests, f"{hazard.id} ({hazard.title}) links no test"


@pytest.mark.parametrize("hazard_id", HAZARD_IDS)
def test_every_linked_test_exists(hazard_id: str) -> None:
    hazard = _by_id(hazard_id)
    problems = [f"  {reference}: {problem}" for reference in hazard.tests
                if (problem := linked_test_problem(reference))]
    assert not problems, (
        f"{hazard.id} ({hazard.title}) links tests that do not exist:\n" + "\n".join(problems))


@pytest.mark.parametrize("hazard_id", HAZARD_IDS)
def test_risk_agrees_with_the_matrix(hazard_id: str) -> None:
    hazard = _by_id(hazard_id)
    severity = hazard.fields.get("Severity")
    assert severity in SEVERITIES, f"{hazard.id}: severity {severity!r} not in {SEVERITIES}"
    column = SEVERITIES.index(severity)
    for likelihood_field, risk_field in (("Likelihood", "Risk"),
                                         ("Residual likelihood", "Residual risk")):
        likelihood = hazard.fields.get(likelihood_field)
        assert likelihood in MATRIX, (
            f"{hazard.id}: {likelihood_field} {likelihood!r} not in {LIKELIHOODS}")
        expected = MATRIX[likelihood][column]
        assert hazard.fields.get(risk_field) == str(expected), (
            f"{hazard.id}: {risk_field} is {hazard.fields.get(risk_field)!r} but the matrix "
            f"gives {expected} for {severity} x {likelihood}")
    assert int(hazard.fields["Residual risk"]) <= int(hazard.fields["Risk"]), (
        f"{hazard.id}: the residual risk is above the initial risk")


# -- the safety case report -----------------------------------------------------------------

def test_report_cites_every_hazard() -> None:
    report = REPORT.read_text(encoding="utf-8")
    uncited = [hazard_id for hazard_id in HAZARD_IDS if hazard_id not in report]
    assert not uncited, f"{REPORT.name} does not mention {', '.join(uncited)}"


def test_report_states_its_limits() -> None:
    """The report keeps the statements some hazards rely on (H-013, H-025)."""
    report = REPORT.read_text(encoding="utf-8")
    for heading in ("## Intended use", "## Status", "## Residual risks", "DCB0160"):
        assert heading in report, f"{REPORT.name} has no {heading!r}"
    for phrase in ("not evidence of safety", "no Clinical Safety Officer", "make test"):
        assert phrase in report, f"{REPORT.name} no longer says {phrase!r}"
