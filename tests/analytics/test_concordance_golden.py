"""Golden test of the concordance audit on a small hand-made historic file and a test pack.

Every expected figure is worked out by hand below from the pack's arguments (tests/engine/
packs/mini: decision `plan` applies when not `spread`; `watch` is recommended for group 1
or an unfit patient, `treat` for group 2-3 unless unfit), never copied from the output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from openmdt.analytics import audit_historic
from openmdt.analytics.render import render_concordance
from openmdt.knowledge import load_pack

MINI = Path(__file__).parents[1] / "engine" / "packs" / "mini"
HEADER = ("case_id,meeting_date,mdt_decision,deviation_code,panel_decision,"
          "score,grade,stage,fit,spread")
ROWS = [
    # group 1, fit: definitive, watch recommended
    "C1,2026-01-06,plan:watch,,watch,5,1,A,true,false",     # concordant
    "C2,2026-01-06,treat,patient_choice,watch,5,1,A,true,false",  # non-concordant, coded
    # group 2 (score > 20), fit: definitive, treat recommended
    "C3,2026-01-06,plan/treat,,watch,50,1,A,true,false",    # concordant
    # group 2, fit unknown: watch if unfit, treat if fit -> provisional on fit
    "C4,2026-01-13,treat,,,50,1,A,,false",                  # conditionally concordant (fit)
    # spread unknown: whether plan applies is unknown
    "C5,2026-02-03,watch,,,5,1,A,true,",                    # not evaluable (spread)
    # spread: plan does not apply, nothing is recommended
    "C6,2026-02-03,watch,,,5,1,A,true,true",                # non-concordant, no reason
    "C7,2026-02-03,refer_elsewhere,,,5,1,A,true,false",     # not evaluable: outside the pack
    "C8,2026-02-03,plan:operate,,,5,1,A,true,false",        # rejected: no such option
    "C9,2026-02-03,watch,,,500,1,A,true,false",             # rejected: score out of range
    "C10,2026-13-01,watch,,,5,1,A,true,false",              # rejected: not a date
    "C11,2026-02-10,watch;treat,,,5,1,A,true,false",        # non-concordant (treat), no reason
]
Z = 1.959963984540054  # the 97.5th centile of the standard normal distribution


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval, written out from its formula."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def report() -> dict:
    pack = load_pack(str(MINI))
    text = "\n".join([HEADER, *ROWS]) + "\n"
    audit = audit_historic(text, pack, source="golden.csv", risk_group="group")
    return json.loads(render_concordance(audit, pack, "json"))


def test_counts_and_rate_with_its_wilson_interval(report):
    assert report["cases"] == 8 and report["rejected"] == 3
    c = report["concordance"]
    assert (c["concordant"], c["conditionally_concordant"], c["non_concordant"],
            c["not_evaluable"]) == (2, 1, 3, 2)
    assert c["rate"] == 3 / 6
    assert c["ci95"] == pytest.approx(wilson(3, 6), abs=1e-12)
    assert c["ci95"] == pytest.approx([0.1876, 0.8124], abs=1e-4)


def test_by_decision_and_month(report):
    plan = report["by_decision"]["plan"]
    assert (plan["concordant"], plan["conditionally_concordant"], plan["non_concordant"],
            plan["not_evaluable"]) == (2, 1, 3, 1)
    assert report["by_decision"]["(outside the pack)"]["not_evaluable"] == 1
    january = report["by_month"]["2026-01"]
    assert (january["concordant"], january["conditionally_concordant"],
            january["non_concordant"]) == (2, 1, 1)
    assert january["rate"] == 3 / 4
    assert report["by_month"]["2026-02"]["non_concordant"] == 2


def test_kappa_mdt_vs_system_and_panel(report):
    # system: C1 (watch, watch), C2 (treat, watch), C3 (treat, treat): p_o 2/3, p_e 4/9
    system = report["kappa"]["mdt_vs_system"]
    assert system["n"] == 3
    assert system["kappa"] == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))
    # panel: C1 (watch, watch), C2 (treat, watch), C3 (treat, watch): p_o 1/3, p_e 1/3
    panel = report["kappa"]["mdt_vs_panel"]
    assert panel["n"] == 3 and panel["kappa"] == pytest.approx(0.0)


def test_each_category_names_its_reason_or_items(report):
    reasons = {r["case_id"]: r["reason"] for r in report["non_concordant"]}
    assert reasons == {"C2": "patient_choice", "C6": "no reason recorded",
                       "C11": "no reason recorded"}
    (conditional,) = report["conditionally_concordant"]
    assert conditional["case_id"] == "C4" and conditional["items"] == ["fit"]
    unsure = {r["case_id"]: r["items"] for r in report["not_evaluable"]}
    assert unsure == {"C5": ["spread"], "C7": []}


def test_rejected_rows_name_line_column_value_and_what_is_allowed(report):
    errors = {e["line"]: e for e in report["errors"]}
    assert set(errors) == {9, 10, 11}
    assert (errors[9]["column"], errors[9]["value"]) == ("mdt_decision", "plan:operate")
    assert errors[9]["allowed"] == "watch, treat"
    assert (errors[10]["column"], errors[10]["code"]) == ("score", "value_out_of_range")
    assert (errors[11]["column"], errors[11]["value"]) == ("meeting_date", "2026-13-01")
