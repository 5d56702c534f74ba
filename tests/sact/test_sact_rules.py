"""The shipped protocols' count and organ-function rules at each boundary, by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from openmdt.sact.protocols import load_protocol, shipped_protocol_ids
from openmdt.sact.safety import CycleContext, Result, criteria_percent

DAY = date(2026, 12, 7)
NORMAL = {"neutrophils": D(3), "platelets": D(250), "bilirubin": D(5), "creatinine": D(80)}


def _assess(protocol_id: str, test: str, value: D, unit: str, crcl: D | None = None,
            uln: D | None = None) -> tuple[dict, list]:
    protocol = load_protocol(protocol_id)
    results = [Result(t, v, "x10^9/L" if t in ("neutrophils", "platelets") else "umol/L", DAY,
                      D(21) if t == "bilirubin" else None) for t, v in NORMAL.items()
               if t != test]
    results.append(Result(test, value, unit, DAY, uln))
    context = CycleContext(protocol, 1, DAY, D(70), tuple(results))
    return criteria_percent(context, crcl if crcl is not None else D(90))


@pytest.mark.parametrize(("protocol_id", "test", "value", "expected"), [
    ("ac-breast", "neutrophils", "1.5", "give"), ("ac-breast", "neutrophils", "1.49", "75"),
    ("ac-breast", "neutrophils", "1.0", "75"), ("ac-breast", "neutrophils", "0.99", "hold"),
    ("ac-breast", "platelets", "90", "give"), ("ac-breast", "platelets", "89", "75"),
    ("ac-breast", "platelets", "70", "75"), ("ac-breast", "platelets", "69", "hold"),
    ("ec-breast", "platelets", "100", "give"), ("ec-breast", "platelets", "99", "hold"),
    ("paclitaxel-weekly-breast", "neutrophils", "1.0", "give"),
    ("paclitaxel-weekly-breast", "neutrophils", "0.99", "hold"),
    ("mfolfox6-colorectal", "neutrophils", "1.2", "give"),
    ("mfolfox6-colorectal", "neutrophils", "1.19", "hold"),
    ("capox-colorectal", "platelets", "75", "give"),
    ("capox-colorectal", "platelets", "74", "hold"),
    ("capecitabine-colorectal", "platelets", "100", "give"),
    ("capecitabine-colorectal", "platelets", "99", "hold"),
    ("docetaxel-prednisolone-prostate", "neutrophils", "1.5", "give"),
    ("docetaxel-prednisolone-prostate", "neutrophils", "1.49", "hold"),
])
def test_count_boundaries(protocol_id: str, test: str, value: str, expected: str) -> None:
    percent, checks = _assess(protocol_id, test, D(value), "x10^9/L")
    _expect(percent, checks, expected)


def _expect(percent: dict, checks: list, expected: str, drug: str | None = None) -> None:
    stops = [c for c in checks if c.outcome == "stop"]
    if expected == "give":
        assert not stops and not percent, checks
    elif expected == "hold":
        assert stops, checks
    else:
        assert not stops
        values = set(percent.values()) if drug is None else {percent[drug]}
        assert values == {D(expected)}, percent


@pytest.mark.parametrize(("protocol_id", "value", "expected", "drug"), [
    ("ac-breast", "19.9", "give", None), ("ac-breast", "20", "50", "doxorubicin"),
    ("ac-breast", "50", "50", "doxorubicin"), ("ac-breast", "50.1", "hold", None),
    ("ec-breast", "20.9", "give", None), ("ec-breast", "21", "50", "epirubicin"),
    ("ec-breast", "51", "50", "epirubicin"), ("ec-breast", "51.1", "25", "epirubicin"),
])
def test_bilirubin_boundaries_in_umol(protocol_id: str, value: str, expected: str,
                                      drug: str | None) -> None:
    percent, checks = _assess(protocol_id, "bilirubin", D(value), "umol/L", uln=D(21))
    _expect(percent, checks, expected, drug)


@pytest.mark.parametrize(("protocol_id", "value", "expected"), [
    # x ULN, with the laboratory's ULN of 20 umol/L: 20 is 1.0 x ULN, 20.2 is 1.01 x ULN
    ("docetaxel-prednisolone-prostate", "20", "give"),
    ("docetaxel-prednisolone-prostate", "20.2", "hold"),
    ("paclitaxel-weekly-breast", "25", "give"),  # 1.25 x ULN
    ("paclitaxel-weekly-breast", "25.2", "75"), ("paclitaxel-weekly-breast", "40", "75"),
    ("paclitaxel-weekly-breast", "40.2", "hold"),
])
def test_bilirubin_boundaries_as_multiples_of_uln(protocol_id: str, value: str,
                                                  expected: str) -> None:
    percent, checks = _assess(protocol_id, "bilirubin", D(value), "umol/L", uln=D(20))
    _expect(percent, checks, expected)


def test_a_bilirubin_read_as_uln_needs_the_laboratory_limit() -> None:
    _, checks = _assess("docetaxel-prednisolone-prostate", "bilirubin", D(10), "umol/L")
    assert any(c.code == "result_needs_uln" and c.outcome == "stop" for c in checks)


@pytest.mark.parametrize(("protocol_id", "crcl", "expected", "drug"), [
    ("capecitabine-colorectal", "50.1", "give", None),
    ("capecitabine-colorectal", "50", "75", "capecitabine"),
    ("capecitabine-colorectal", "30", "75", "capecitabine"),
    ("capecitabine-colorectal", "29.9", "hold", None),
    ("capox-colorectal", "30", "give", None), ("capox-colorectal", "29.9", "hold", None),
    ("carboplatin-pemetrexed-lung", "45", "give", None),
    ("carboplatin-pemetrexed-lung", "44.9", "hold", None),
])
def test_clearance_boundaries(protocol_id: str, crcl: str, expected: str,
                              drug: str | None) -> None:
    percent, checks = _assess(protocol_id, "creatinine", D(80), "umol/L", crcl=D(crcl))
    _expect(percent, checks, expected, drug)


@pytest.mark.parametrize("protocol_id", shipped_protocol_ids())
def test_every_band_edge_falls_in_exactly_one_band(protocol_id: str) -> None:
    for criterion in load_protocol(protocol_id).criteria:
        edges = {b.low for b in criterion.bands} | {b.high for b in criterion.bands}
        for edge in edges - {None}:
            for value in (edge - D("0.001"), edge, edge + D("0.001")):
                holding = [b for b in criterion.bands if b.contains(value)]
                assert len(holding) == 1, (criterion.test, value)
