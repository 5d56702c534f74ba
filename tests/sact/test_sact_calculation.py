"""Known answers for BSA, Cockcroft-Gault, Calvert and banding (SACT notes §1-§2), by hand."""

from __future__ import annotations

import math
from decimal import Decimal as D

import pytest

from openmdt.sact.banding import band_dose, load_table
from openmdt.sact.bsa import MeasurementError, body_surface_area
from openmdt.sact.quantities import Quantity, UnitError
from openmdt.sact.renal import calvert, cockcroft_gault, weight_for_clearance

# SACT notes §1.1 test vectors: H, W, Mosteller, DuBois, Haycock, Gehan-George, Boyd
VECTORS = [
    (170, 70, "1.818", "1.810", "1.826", "1.831", "1.835"),
    (160, 55, "1.563", "1.563", "1.566", "1.577", "1.578"),
    (180, 100, "2.236", "2.195", "2.262", "2.254", "2.266"),
    (165, 130, "2.441", "2.304", "2.517", "2.487", "2.542"),
    (150, 40, "1.291", "1.303", "1.286", "1.302", "1.298"),
]
FORMULAS = ("mosteller", "dubois", "haycock", "gehan_george", "boyd")


@pytest.mark.parametrize("vector", VECTORS)
def test_bsa_matches_the_notes_vectors(vector: tuple) -> None:
    height, weight, *expected = vector
    for formula, value in zip(FORMULAS, expected, strict=True):
        got = body_surface_area(D(height), D(weight), formula).value
        assert got.quantize(D("0.001")) == D(value), formula


def test_boyd_takes_the_log_of_grams_not_kilograms() -> None:
    # by hand: the wrong formula (log10 of kg) gives 3.442 for 170 cm, 70 kg (notes §1.1)
    wrong = 0.0003207 * 170**0.3 * (70000 ** (0.7285 - 0.0188 * math.log10(70)))
    assert round(wrong, 3) == 3.442
    assert body_surface_area(D(170), D(70), "boyd").value < D(2)


def test_bsa_keeps_every_digit_and_shows_two() -> None:
    bsa = body_surface_area(D(170), D(70))
    assert bsa.formula == "mosteller"
    assert bsa.shown == D("1.82")
    assert abs(float(bsa.value) - math.sqrt(170 * 70 / 3600)) < 1e-12


@pytest.mark.parametrize(("height", "weight", "word"), [
    (D(49), D(70), "height"), (D(251), D(70), "height"),
    (D(170), D(9), "weight"), (D(170), D(351), "weight")])
def test_impossible_measures_are_refused_naming_the_item(height: D, weight: D,
                                                         word: str) -> None:
    with pytest.raises(MeasurementError, match=word):
        body_surface_area(height, weight)


def test_unknown_formula_lists_the_allowed() -> None:
    with pytest.raises(MeasurementError, match="mosteller, dubois"):
        body_surface_area(D(170), D(70), "costeff")


# SACT notes §1.3 worked examples
@pytest.mark.parametrize(("age", "weight", "sex", "umol", "si", "mg_dl", "carbo"), [
    (65, 80, "male", 90, "82.0", "81.9", 535),
    (70, 60, "female", 70, "62.4", "62.6", 437),
    (40, 90, "male", 50, "221.4", "221.0", 750),
])
def test_cockcroft_gault_and_calvert_worked_examples(age, weight, sex, umol, si, mg_dl,
                                                     carbo) -> None:
    by_si = cockcroft_gault(age_years=D(age), weight_kg=D(weight), sex=sex,
                            creatinine=Quantity(D(umol), "umol/L"))
    by_mg = cockcroft_gault(age_years=D(age), weight_kg=D(weight), sex=sex,
                            creatinine=Quantity(D(umol) / D("88.4"), "mg/dL"))
    assert by_si.value.quantize(D("0.1")) == D(si)
    assert by_mg.value.quantize(D("0.1")) == D(mg_dl)
    assert calvert(D(5), by_si.value).dose_mg.quantize(D(1)) == carbo


def test_calvert_cap_is_a_setting() -> None:
    # by hand: 5 x (221.4 + 25) = 1232; capped 5 x (125 + 25) = 750
    capped = calvert(D(5), D("221.4"))
    assert (capped.dose_mg, capped.uncapped_mg, capped.gfr_capped) == (D(750), D(1232), True)
    uncapped = calvert(D(5), D("221.4"), gfr_cap=None)
    assert uncapped.dose_mg == D(1232) and not uncapped.gfr_capped
    at_cap = calvert(D(6), D(125))
    assert at_cap.dose_mg == D(900) and not at_cap.gfr_capped


def test_adjusted_weight_of_the_notes_obese_woman() -> None:
    # LBW = 45 + 0.906 x (165 - 152.4) = 56.4156; 130 > 1.3 x LBW, so 56.4156 + 0.4 x 73.5844
    assert weight_for_clearance(D(130), D(165), "female", "rscg") == D("85.84936")
    assert weight_for_clearance(D(60), D(165), "female", "rscg") == D(60)  # not obese
    # IBW (cancercalc) man 180 cm = 50 + 0.91 x 28 = 75.48; adjusted 75.48 + 0.4 x 24.52
    assert weight_for_clearance(D(100), D(180), "male", "ideal") == D("75.48")
    assert weight_for_clearance(D(100), D(180), "male", "adjusted") == D("85.288")


def test_creatinine_in_another_unit_is_refused() -> None:
    with pytest.raises(UnitError, match="umol/L or mg/dL"):
        cockcroft_gault(age_years=D(60), weight_kg=D(70), sex="male",
                        creatinine=Quantity(D(80), "mL/min"))
    with pytest.raises(MeasurementError, match="creatinine 0.9 umol/L is outside"):
        # a value in mg/dL typed as umol/L is out of range, not silently used
        cockcroft_gault(age_years=D(60), weight_kg=D(70), sex="male",
                        creatinine=Quantity(D("0.9"), "umol/L"))


def test_paclitaxel_banding_examples_of_the_notes() -> None:
    table = load_table("nhse-6mg-ml-single-container")
    assert band_dose(table, D(144)).band_mg == D(144)
    three_hundred = band_dose(table, D(315))
    assert three_hundred.band_mg == D(300)
    assert three_hundred.variance_percent == D("-4.76")  # (300 - 315) / 315
    assert three_hundred.table_version == "2"


def test_twenty_mg_table_examples_of_the_notes() -> None:
    table = load_table("nhse-20mg-ml-multi-drug")
    assert band_dose(table, D("142.5")).band_mg == D(148)
    assert band_dose(table, D(324)).band_mg == D(320)
    assert table.version == "7 (August 2022)"


def test_a_dose_on_the_step_goes_up_or_down_by_setting() -> None:
    table = load_table("nhse-6mg-ml-single-container")
    assert band_dose(table, D("30.55"), "up").band_mg == D("32.4")
    assert band_dose(table, D("30.54"), "up").band_mg == D("28.8")
    assert band_dose(table, D("30.54"), "down").band_mg == D("28.8")
    assert band_dose(table, D("30.55"), "down").band_mg == D("32.4")


def test_a_dose_outside_every_band_is_unbanded_with_the_reason() -> None:
    table = load_table("nhse-1mg-ml-single-container")
    result = band_dose(table, D(20))
    assert result.band_mg is None
    assert "outside every band" in (result.reason or "")
    assert band_dose(table, D(2)).band_mg == D(2)  # the vincristine 2 mg band
    assert band_dose(table, D("0.2")).band_mg is None
