"""Generated lists through the real case readers and engine, with the shipped prostate pack."""

import io
from collections.abc import Callable
from datetime import date
from typing import TextIO

import pytest

from openmdt.cases import read_cases
from openmdt.engine import evaluate
from openmdt.knowledge import load_pack
from openmdt.synth import generate_prostate_list, write_csv, write_jsonl

AS_OF = date(2026, 11, 27)
TRIAGE_ITEMS = ("psa", "grade_group", "t_stage", "m_stage", "mri_biopsy_concordant",
                "fit_for_radical_treatment")


@pytest.mark.parametrize(("fmt", "write"), [("csv", write_csv), ("jsonl", write_jsonl)])
def test_the_case_readers_accept_every_generated_case(
    fmt: str, write: Callable[[list[dict], TextIO], None],
) -> None:
    cases = generate_prostate_list(300, seed=21)
    stream = io.StringIO()
    write(cases, stream)
    records = read_cases(stream.getvalue(), fmt=fmt, source=f"synthetic.{fmt}")
    assert [r.error for r in records if r.error] == []
    assert [r.case_id for r in records] == [c["case_id"] for c in cases]


def test_missing_item_makes_a_case_not_ready_and_complete_cases_are_routed() -> None:
    pack = load_pack("prostate-nice-ng131")
    for case in generate_prostate_list(300, seed=22):
        facts = case["facts"]
        lacks_an_item = any(item in facts and facts[item] is None for item in TRIAGE_ITEMS)
        route = evaluate(pack, case, as_of=AS_OF).route
        assert (route == "not_ready") == lacks_an_item, (case["case_id"], route, facts)
