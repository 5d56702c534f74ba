"""Issue 10, Documents: the GP letter names the practice, the consultant, the key worker and
the hospital number, says the decision in the pack's words with next steps and who does
them, fits one A4 page, and has a patient copy in plain language."""

from __future__ import annotations

import re

import pytest
from page_helpers import Browser, create_meeting, import_list
from weasyprint import HTML

from openmdt.meetings import documents

CASE_LINK = re.compile(r'href="/cases/(\d+)"')
M0_HEADER = ("case_id,patient_name,nhs_number,date_of_birth,hospital_number,gp_name,"
             "gp_practice_code,gp_practice_name,gp_practice_address,consultant,key_worker,"
             "pathway_point,psa,grade_group,t_stage,n_stage,m_stage,fit_for_radical_treatment,"
             "who_performance_status,age,life_expectancy_years,mri_biopsy_concordant,histology,"
             "long_term_adt_planned,radiotherapy_planned,prior_arta\n")
M0_ROW = ('{ref},SYNTHETIC Ash Letter,9990000018,1956-06-18,RXX-445566,Dr Hazel GP,{code},'
          'Riverside Surgery,"1 River Road, Leeds, LS1 1AA",Mr Oak Consultant,'
          'Sister Elm Keyworker,new_diagnosis,30,4,T3a,N0,M0,yes,0,64,18,yes,'
          'acinar_adenocarcinoma,yes,yes,no\n')
CHOSEN = "high_risk_non_metastatic_systemic/docetaxel"


def _case_with_outcome(coordinator: Browser, chair: Browser, code: str = "b86001") -> int:
    meeting_id = create_meeting(coordinator)
    response = import_list(coordinator, meeting_id, M0_HEADER + M0_ROW.format(ref="L-1",
                                                                               code=code))
    assert response.status_code == 303, response.text
    case_id = int(CASE_LINK.search(coordinator.client.get(f"/meetings/{meeting_id}").text)
                  .group(1))
    form = {"chosen_options": CHOSEN, "care_plan_intent": "C", "planned_treatment_types": "02",
            "rationale": "Docetaxel with long-term ADT and radiotherapy"}
    assert chair.post(f"/cases/{case_id}/outcome", form).status_code == 303
    return case_id


@pytest.fixture(scope="module")
def letter_case(coordinator: Browser, chair: Browser) -> int:
    return _case_with_outcome(coordinator, chair)


def test_gp_letter_names_practice_people_and_hospital_number(chair: Browser,
                                                            letter_case: int) -> None:
    letter = chair.client.get(f"/cases/{letter_case}/gp-letter").text
    assert "Riverside Surgery" in letter and "<p>1 River Road</p>" in letter
    assert "<p>LS1 1AA</p>" in letter
    assert "Practice code (ODS) B86001" in letter  # stored in capitals
    assert "Mr Oak Consultant" in letter and "Sister Elm Keyworker" in letter
    assert "RXX-445566" in letter and "Dear Dr Hazel GP" in letter
    assert "18 June 1956" in letter and "27 November 2026" in letter


def test_gp_letter_says_the_decision_in_pack_words_with_next_steps(chair: Browser,
                                                                  letter_case: int) -> None:
    letter = chair.client.get(f"/cases/{letter_case}/gp-letter").text
    assert "<strong>Discuss docetaxel chemotherapy</strong> - " in letter
    assert "Docetaxel with ADT" not in letter and CHOSEN not in letter
    assert "<h2>Next steps</h2>" in letter
    assert "<td>Mr Oak Consultant (consultant)</td><td>Discuss the recommendation" \
        in letter
    assert "<td>Sister Elm Keyworker (key worker)</td><td>Contact the patient" in letter
    assert "<td>You (the GP)</td>" in letter


def test_gp_letter_fits_one_a4_page(chair: Browser, letter_case: int) -> None:
    pdf = chair.client.get(f"/cases/{letter_case}/gp-letter.pdf")
    assert pdf.content.startswith(b"%PDF")
    html = _self_contained(chair, letter_case, "gp-letter")
    assert len(HTML(string=html).render().pages) == 1


def test_patient_copy_is_in_plain_language(chair: Browser, letter_case: int) -> None:
    copy = chair.client.get(f"/cases/{letter_case}/patient-letter")
    assert copy.status_code == 200
    text = copy.text
    assert "What your care team talked about" in text and "Discuss docetaxel chemotherapy" in text
    assert "Sister Elm Keyworker" in text and "Mr Oak Consultant" in text
    for jargon in ("CR0460", "COSD", "CPG", "Curative", "deviation", "ODS", "MDT "):
        assert jargon not in text, jargon
    assert len(HTML(string=_self_contained(chair, letter_case, "patient-letter"))
               .render().pages) == 1
    pdf = chair.client.get(f"/cases/{letter_case}/patient-letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf"


def test_a_bad_gp_practice_code_is_refused_naming_the_value(coordinator: Browser) -> None:
    meeting_id = create_meeting(coordinator)
    text = M0_HEADER + M0_ROW.format(ref="L-2", code="B86-001")
    response = import_list(coordinator, meeting_id, text)
    assert response.status_code == 422
    assert "patient.gp_practice_code" in response.text and "B86-001" in response.text
    assert "3 to 8 letters or digits" in response.text
    assert "L-2" not in coordinator.client.get(f"/meetings/{meeting_id}").text


def _self_contained(chair: Browser, case_id: int, kind: str) -> str:
    """The letter as the PDF renders it (styles inlined), from the same service function."""
    from openmdt.web.pages_documents import RENDERERS, outcome_document

    app = chair.client.app
    with app.state.openmdt.sessions() as db:  # type: ignore[attr-defined]
        from openmdt.store.models import MeetingCase

        case = db.get(MeetingCase, case_id)
        document = outcome_document(db, case, "North Trust")
        assert document is not None
        return RENDERERS[kind](document)


def test_dates_read_in_one_format() -> None:
    from datetime import UTC, date, datetime

    from openmdt.knowledge.words import date_words, time_words

    assert date_words(date(1971, 6, 16)) == "16 June 1971"
    assert date_words("1971-06-16") == "16 June 1971"
    assert date_words(None) == "Not recorded" and date_words("soon") == "soon"
    assert time_words(datetime(2026, 11, 27, 14, 5, tzinfo=UTC)) == "27 November 2026 at 14:05"
    # UK summer time: a UTC moment is read an hour later, and near midnight on the next day
    assert time_words("2026-06-30T23:30:00+00:00") == "1 July 2026 at 00:30"
    assert date_words(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"
    assert documents.render_gp_letter  # the documents use the same filters


def test_a_full_letter_with_a_deviation_still_fits_one_page() -> None:
    """A busy letter: a deviation explained at length, a long rationale, every fact the
    prostate pack gives for letters, a five-line practice address, two chosen options."""
    from datetime import date, datetime

    from openmdt.meetings.letters import CareTeam, PlanLine, gp_next_steps

    plan = [PlanLine("Radical prostatectomy", "Treatment of localised prostate cancer"),
            PlanLine("Pelvic lymph node dissection", "Treatment of localised prostate cancer")]
    team = CareTeam("Mr Oak Consultant", "Sister Elm Keyworker")
    document = documents.OutcomeDocument(
        organisation="North Trust", meeting_date=date(2026, 11, 27),
        meeting_type="1201 Urology Local MDT", meeting_site="RXX01", case_id="PR-0001",
        patient_name="SYNTHETIC Ash Longname-Doublebarrel", nhs_number="9990000018",
        date_of_birth=date(1956, 6, 18), route="full_discussion",
        chosen_options=[p.option for p in plan], care_plan_intent="C - Curative",
        planned_treatments=["01 - Surgery"], rationale="Fit, keen on surgery; " * 14,
        recorded_by="Dr Rowan Chair", recorded_at=datetime(2026, 11, 27, 14, 5),
        recommended_options=["Active surveillance"],
        deviation_reason="Patient's informed preference",
        deviation_text="Wants definitive treatment after a long discussion. " * 5,
        key_facts=[documents.FactLine(f"Fact number {n}", "some value") for n in range(16)],
        derived_facts=[documents.FactLine(f"Risk group {n}", "high") for n in range(3)],
        guideline="prostate-nice-ng131 1.0.0 sha256:" + "a" * 64,
        gp_name="Dr Hazel GP", gp_practice="Riverside Surgery", gp_practice_code="B86001",
        gp_address=["Unit 4", "Riverside Health Centre", "1 River Road", "Leeds", "LS1 1AA"],
        hospital_number="RXX-445566", consultant=team.consultant, key_worker=team.key_worker,
        plan=plan, next_steps=gp_next_steps(plan, team, ["Declines radical treatment"]),
    )
    assert len(HTML(string=documents.render_gp_letter(document)).render().pages) == 1
