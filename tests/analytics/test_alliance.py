"""The alliance view's arithmetic: funnel limits against hand-computed binomial values, and
the combination of trusts' aggregate figures (totals, pooled rates, variation, packs)."""

from __future__ import annotations

import dataclasses
from math import comb

import pytest

from openmdt.analytics.alliance import PackUse, TrustFigures, alliance_report
from openmdt.analytics.assumptions import load_assumptions
from openmdt.analytics.funnel import funnel_limit, funnel_limits, position
from openmdt.analytics.render_alliance import alliance_tables
from openmdt.knowledge import load_pack

# Binomial(10, 1/2): P(R <= r) = (sum of C(10, k) for k <= r) / 1024 =
# 1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024 (/ 1024).
CUMULATIVE_10 = [1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024]


def test_the_cumulative_counts_used_below() -> None:
    assert [sum(comb(10, k) for k in range(r + 1)) for r in range(11)] == CUMULATIVE_10


@pytest.mark.parametrize(("probability", "expected"), [
    # upper 95%: r = 8 (1013/1024 >= 0.975 > 968/1024); a = (1013 - 998.4) / 45
    (0.975, (8 - (1013 - 0.975 * 1024) / 45) / 10),
    # lower 95%: r = 2 (56/1024 >= 0.025 > 11/1024); a = (56 - 25.6) / 45
    (0.025, (2 - (56 - 0.025 * 1024) / 45) / 10),
    # upper 99.8%: r = 9; a = (1023 - 1022.976) / 10
    (0.999, (9 - (1023 - 0.999 * 1024) / 10) / 10),
    # lower 99.8%: r = 1 (11/1024 >= 0.001 > 1/1024); a = (11 - 1.024) / 10
    (0.001, (1 - (11 - 0.001 * 1024) / 10) / 10),
])
def test_funnel_limits_for_ten_cases_around_one_half(probability: float,
                                                     expected: float) -> None:
    assert funnel_limit(0.5, 10, probability) == pytest.approx(expected, abs=1e-12)


def test_hand_values_and_clipping() -> None:
    limits = funnel_limits(0.5, 10)
    assert limits.upper95 == pytest.approx(0.7675556, abs=1e-7)
    assert limits.lower95 == pytest.approx(0.1324444, abs=1e-7)
    assert limits.upper998 == pytest.approx(0.89976, abs=1e-7)
    assert limits.lower998 == pytest.approx(0.00024, abs=1e-7)
    # four cases: the upper 95% limit is (4 - (1 - 0.975) / (1/16)) / 4 = 0.9; the lower
    # interpolates below 0 ((0 - 0.6) / 4) and is clipped to 0
    four = funnel_limits(0.5, 4)
    assert (four.upper95, four.lower95) == (pytest.approx(0.9), 0.0)


def test_limits_narrow_as_cases_grow_and_positions() -> None:
    small, large = funnel_limits(0.8, 20), funnel_limits(0.8, 2000)
    assert small.lower998 < small.lower95 < 0.8 < small.upper95 < small.upper998
    assert small.upper95 - small.lower95 > large.upper95 - large.lower95
    assert position(0.8, large) == "within limits"
    assert position(large.upper95 + 0.001, large) == "above 95% limit"
    assert position(large.lower998 - 0.001, large) == "below 99.8% limit"
    with pytest.raises(ValueError, match="n >= 1"):
        funnel_limit(0.5, 0, 0.975)


def _trust(name: str, soc: int, discussed: int, concordant: int, non: int,
           medians: tuple[float, float], packs: tuple[PackUse, ...] = ()) -> TrustFigures:
    return TrustFigures(
        trust=name, meetings=52, routes={"standard_of_care": soc, "full_discussion": discussed,
                                         "not_ready": 10},
        concordance={"concordant": concordant, "conditionally_concordant": 0,
                     "non_concordant": non, "not_evaluable": 3},
        minutes_before=(soc + discussed + 10) * 3.2, minutes_after=discussed * 3.2,
        value_per_year=1000.0, clinician_hours_per_year=10.0, streamlined=soc,
        escalated={"flagged": 1, "rolled_over": 0, "outcome_amended": 0}, reviewed=10,
        disagreed=1,
        step_days={"Referral to first seen": (40, medians[0]),
                   "Diagnosis to MDT": (40, medians[1])},
        standards={"28-day faster diagnosis": (30, 40)}, packs=packs)


@pytest.fixture(scope="module")
def report():
    pack = load_pack("example-alliance-prostate")
    current = PackUse(pack.id, pack.version, pack.hash, 100, "2026-01", "2026-12")
    older = dataclasses.replace(current, hash="sha256:older", evaluations=5)
    national = PackUse("prostate-nice-ng131", "1.0.0", "sha256:x", 90, "2026-01", "2026-12")
    trusts = [_trust("A", soc=30, discussed=60, concordant=50, non=10, medians=(7, 12),
                     packs=(older, current)),
              _trust("B", soc=90, discussed=100, concordant=95, non=5, medians=(9, 14),
                     packs=(national,))]
    return alliance_report("Test Alliance", pack, None, trusts, load_assumptions())


def test_totals_are_sums_and_rates_are_pooled(report) -> None:
    total = report.totals
    assert total.listed == (30 + 60 + 10) + (90 + 100 + 10)
    assert total.routes["standard_of_care"] == 120
    assert total.streamlining.rate == pytest.approx(120 / 300)
    assert total.concordance_rate.rate == pytest.approx((50 + 95) / (60 + 100))
    assert total.standards == {"28-day faster diagnosis": (60, 80)}
    # released: every listed case not discussed (Standard of Care and not ready)
    assert total.minutes_released == pytest.approx((30 + 10 + 90 + 10) * 3.2)
    assert total.value_per_year == 2000.0 and total.disagreed == 2 and total.reviewed == 20


def test_variation_and_funnel_against_the_pooled_rate(report) -> None:
    variation = report.variation("streamlining")
    assert (variation.lowest, variation.highest) == (pytest.approx(0.3), pytest.approx(0.45))
    assert variation.spread == pytest.approx(0.15)
    points = {p.trust: p for p in report.funnel("streamlining")}
    assert points["A"].n == 100 and points["B"].n == 200
    assert points["A"].limits == funnel_limits(0.4, 100)
    # A: 30% of 100 against 40%: below the 95% limit (about 30.4%), within 99.8%
    assert points["A"].position == "below 95% limit"
    assert points["B"].position == "within limits"
    assert (variation.beyond95, variation.beyond998) == (1, 0)
    assert report.median_range("Referral to first seen") == (7, 9)


def test_pack_status_and_tables(report) -> None:
    statuses = {(t.trust, u.hash[:13]): u.status for t in report.trusts for u in t.packs}
    assert statuses[("A", "sha256:older")] == "an older version of the alliance's set"
    assert "the alliance's current set" in statuses.values()
    assert statuses[("B", "sha256:x")] == "the national pack, without the alliance's changes"
    tables = alliance_tables(report)
    assert set(tables) == {"trusts.csv", "funnel_concordance.csv", "funnel_streamlining.csv",
                           "variation.csv", "pathway_medians.csv", "standards.csv",
                           "packs.csv"}
    assert tables["trusts.csv"].splitlines()[-1].startswith("Test Alliance,104,300,120,")


def test_trust_figures_hold_no_patient_level_field() -> None:
    """The type that crosses from a trust to the alliance: counts, rates, labels only."""
    names = {f.name for f in dataclasses.fields(TrustFigures)}
    assert names == {"trust", "meetings", "routes", "concordance", "minutes_before",
                     "minutes_after", "value_per_year", "clinician_hours_per_year",
                     "streamlined", "escalated", "reviewed", "disagreed", "step_days",
                     "standards", "packs"}
    assert {f.name for f in dataclasses.fields(PackUse)} == {
        "pack_id", "version", "hash", "evaluations", "first_month", "last_month", "status"}


def test_a_share_with_nothing_to_count_says_so_rather_than_a_rate() -> None:
    from openmdt.analytics.stats import proportion

    assert proportion(0, 0).text() == "none to count yet (0 of 0)"
    assert proportion(0, 4).text().startswith("0 of 4 (0.0%, 95% CI 0.0% to ")
    assert proportion(3, 4).text().startswith("3 of 4 (75.0%")
