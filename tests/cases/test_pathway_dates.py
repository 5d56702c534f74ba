"""Pathway dates: parsing and the pathway's order around the MDT meeting, at each boundary."""

from __future__ import annotations

from datetime import date

import pytest

from openmdt.cases import CaseError, read_cases
from openmdt.cases.pathway import check_pathway_order, parse_pathway_dates, pathway_dates_of

MEETING = date(2026, 6, 16)


def test_dates_in_order_with_the_meeting_in_its_place_are_accepted():
    dates = {"referral_date": date(2026, 5, 1), "first_seen_date": date(2026, 5, 1),
             "diagnosis_date": MEETING, "decision_to_treat_date": MEETING,
             "first_treatment_date": date(2026, 7, 1)}
    check_pathway_order(dates, MEETING)  # equal dates are in order


@pytest.mark.parametrize(("name", "day", "other"), [
    ("diagnosis_date", date(2026, 6, 17), "MDT meeting date 16 June 2026"),
    ("referral_date", date(2026, 6, 17), "MDT meeting date 16 June 2026"),
])
def test_a_pre_mdt_date_one_day_after_the_meeting_names_both_dates(name, day, other):
    with pytest.raises(CaseError) as caught:
        check_pathway_order({name: day}, MEETING)
    error = caught.value
    assert error.code == "dates_out_of_order"
    assert error.item == name and error.path == f"pathway.{name}"
    assert "17 June 2026" in error.message and other in error.message
    assert "after" in error.message


def test_a_decision_to_treat_one_day_before_the_meeting_names_both_dates():
    with pytest.raises(CaseError) as caught:
        check_pathway_order({"decision_to_treat_date": date(2026, 6, 15)}, MEETING)
    message = caught.value.message
    assert "Decision to treat date 15 June 2026 is before" in message
    assert "MDT meeting date 16 June 2026" in message


def test_two_pathway_dates_out_of_order_name_both():
    with pytest.raises(CaseError) as caught:
        check_pathway_order({"referral_date": date(2026, 5, 2),
                             "first_seen_date": date(2026, 5, 1)}, None)
    error = caught.value
    assert error.item == "first_seen_date"
    assert "First seen date 1 May 2026 is before the referral date 2 May 2026" in error.message
    assert error.allowed.startswith("on or after 2026-05-02")


def test_order_skips_unknown_dates():
    check_pathway_order({"referral_date": date(2026, 5, 1),
                         "first_treatment_date": date(2026, 7, 1)}, MEETING)


def test_a_value_that_is_not_a_date_names_the_item_and_value():
    with pytest.raises(CaseError) as caught:
        parse_pathway_dates({"referral_date": "2026-02-30"})
    error = caught.value
    assert (error.code, error.item, error.value) == ("wrong_type", "referral_date", "2026-02-30")
    assert error.allowed == "a date as YYYY-MM-DD"


def test_an_unknown_pathway_date_is_refused():
    with pytest.raises(CaseError) as caught:
        pathway_dates_of({"pathway": {"referal_date": "2026-01-01"}}, MEETING)
    assert caught.value.code == "unknown_item" and "referral_date" in caught.value.allowed


def test_csv_columns_become_the_case_pathway_not_facts():
    text = "case_id,site,psa,referral_date,first_seen_date\nC1,prostate,5,2026-05-01,\n"
    (record,) = read_cases(text, fmt="csv")
    assert record.data["pathway"] == {"referral_date": "2026-05-01"}
    assert "referral_date" not in record.data["facts"]
