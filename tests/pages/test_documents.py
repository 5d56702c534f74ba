"""The printable documents rendered straight from their views (no app, no database)."""

from __future__ import annotations

from datetime import date, datetime

from openmdt.meetings.documents import (
    AttendanceLine,
    FactLine,
    MeetingSummaryDocument,
    OutcomeDocument,
    SummaryRow,
    html_to_pdf,
    render_gp_letter,
    render_meeting_summary,
    render_outcome_form,
)

OUTCOME = OutcomeDocument(
    organisation="North Trust",
    meeting_date=date(2026, 11, 27),
    meeting_type="1201 Urology Local MDT",
    meeting_site="RXX01",
    case_id="PR-0001",
    patient_name="SYNTHETIC Ash <Test>",
    nhs_number="9990000018",
    date_of_birth=date(1956, 6, 18),
    route="full_discussion",
    chosen_options=["Radical prostatectomy"],
    care_plan_intent="C - Curative",
    planned_treatments=["01 - Surgery"],
    rationale="Fit and keen on surgery.",
    recorded_by="Dr Rowan Chair",
    recorded_at=datetime(2026, 11, 27, 14, 5),
    recommended_options=["Active surveillance"],
    deviation_reason="Patient's informed preference",
    deviation_text="Wants definitive treatment.",
    key_facts=[FactLine("Diagnostic PSA", "12 ng/mL")],
    derived_facts=[FactLine("CPG", "2")],
    guideline="prostate-nice-ng131 1.0.0 sha256:abc",
)


def test_gp_letter_says_plan_deviation_and_escapes_names() -> None:
    html = render_gp_letter(OUTCOME)
    assert "SYNTHETIC Ash &lt;Test&gt;" in html and "<Test>" not in html
    assert "999 000 0018" in html
    assert "differs from the published guideline recommendation" in html
    assert "Wants definitive treatment." in html and "treatment.." not in html
    assert "<style>" in html  # self-contained for PDF and files


def test_documents_link_the_stylesheet_for_browsers() -> None:
    html = render_outcome_form(OUTCOME, stylesheet_href="/static/document.css",
                               links=[("Back to the case", "/cases/1")])
    assert '<link rel="stylesheet" href="/static/document.css">' in html
    assert "<style>" not in html and 'href="/cases/1"' in html
    assert "COSD CR0460" in html and "Outcome version 1" in html


def test_concordant_outcome_has_no_deviation_box() -> None:
    concordant = OutcomeDocument(**{**OUTCOME.__dict__, "deviation_reason": None,
                                    "deviation_text": None})
    assert "differs from the published guideline" not in render_gp_letter(concordant)
    assert "Differs from the guideline" not in render_outcome_form(concordant)


def test_meeting_summary_counts_routes_and_attendance() -> None:
    summary = MeetingSummaryDocument(
        organisation="North Trust", meeting_date=date(2026, 11, 27),
        meeting_type="1201 Urology Local MDT", meeting_site="RXX01", status="open",
        rows=[SummaryRow("PR-1", "A", "9990000018", "full_discussion", "Surgery"),
              SummaryRow("PR-2", "B", "9990000026", "standard_of_care", "No outcome recorded"),
              SummaryRow("PR-3", "C", "9990000034", "standard_of_care", "Active surveillance",
                         deviation="Comorbidity")],
        attendance=[AttendanceLine("Dr Ash", "Consultant urologist", True)],
        quorate=False, quoracy_note="missing Radiologist",
    )
    html = render_meeting_summary(summary)
    assert "<th scope=\"row\">Standard of care</th><td>2</td>" in html
    assert "Dr Ash" in html and "missing Radiologist" in html and "Deviation: Comorbidity" in html


def test_pdf_is_a_pdf() -> None:
    assert html_to_pdf(render_gp_letter(OUTCOME)).startswith(b"%PDF")
