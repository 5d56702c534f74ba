"""Printable MDT documents: the outcome form, the GP letter and the meeting summary.

Each document is rendered from a small frozen view (plain values already formatted for a
reader) to self-contained HTML with print CSS, and from that HTML to PDF with WeasyPrint.
The views hold no database objects, so the same documents can be produced by the web pages,
the CLI or a batch job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from openmdt.knowledge.words import date_words, time_words
from openmdt.meetings.letters import NextStep, PlanLine

__all__ = [
    "AttendanceLine",
    "FactLine",
    "MeetingSummaryDocument",
    "OutcomeDocument",
    "SummaryRow",
    "html_to_pdf",
    "render_gp_letter",
    "render_meeting_summary",
    "render_outcome_form",
    "render_patient_letter",
]


@dataclass(frozen=True)
class FactLine:
    """One fact as the reader sees it: a label and a formatted value (with its unit)."""

    label: str
    value: str


@dataclass(frozen=True)
class OutcomeDocument:
    """What the outcome form and the GP letter say about one patient's MDT outcome."""

    organisation: str
    meeting_date: date
    meeting_type: str  # e.g. "1201 Urology Local MDT"
    meeting_site: str
    case_id: str
    patient_name: str
    nhs_number: str
    date_of_birth: date | None
    route: str  # the triage route the case was listed under
    chosen_options: Sequence[str]
    care_plan_intent: str  # e.g. "C - Curative" (COSD CR0460)
    planned_treatments: Sequence[str]  # e.g. ["01 - Surgery"] (COSD CR0470)
    rationale: str
    recorded_by: str
    recorded_at: datetime
    outcome_version: int = 1
    recommended_options: Sequence[str] = ()
    deviation_reason: str | None = None
    deviation_text: str | None = None
    key_facts: Sequence[FactLine] = ()
    derived_facts: Sequence[FactLine] = ()
    guideline: str = ""  # pack id, version and content hash
    gp_name: str | None = None
    gp_practice: str | None = None
    gp_practice_code: str | None = None  # the practice's ODS code
    gp_address: Sequence[str] = ()
    patient_address: Sequence[str] = ()
    hospital_number: str | None = None
    consultant: str | None = None
    key_worker: str | None = None
    plan: Sequence[PlanLine] = ()  # the chosen options with their decisions, in pack words
    next_steps: Sequence[NextStep] = ()  # for the GP
    patient_steps: Sequence[NextStep] = ()  # for the patient's copy, in plain words

    @property
    def is_deviation(self) -> bool:
        """Whether the MDT chose an option the guideline did not recommend."""
        return bool(self.deviation_reason)


@dataclass(frozen=True)
class AttendanceLine:
    """One member of the MDT and whether they attended."""

    name: str
    role: str
    present: bool
    status: str = ""  # "Present", "Remote (video or phone)" or "Absent"; "" = from present


@dataclass(frozen=True)
class SummaryRow:
    """One listed patient in the meeting summary."""

    case_id: str
    patient_name: str
    nhs_number: str
    route: str
    outcome: str  # chosen options, or "No outcome recorded"
    deviation: str | None = None
    agenda_number: int | None = None  # its place in the agenda order (the order discussed)


@dataclass(frozen=True)
class MeetingSummaryDocument:
    """The record of one meeting: who attended, every listed patient and the outcomes."""

    organisation: str
    meeting_date: date
    meeting_type: str
    meeting_site: str
    status: str
    rows: Sequence[SummaryRow]
    attendance: Sequence[AttendanceLine] = ()
    quorate: bool | None = None
    quoracy_note: str = ""
    estimated_minutes: float | None = None
    guideline: str = ""
    generated_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)


# The document templates live with the web templates so that one folder holds all HTML; the
# print stylesheet is a static file so that browsers can load it under a strict CSP, and is
# inlined for WeasyPrint, which renders without a server.
WEB_FOLDER = Path(__file__).resolve().parents[1] / "web"
TEMPLATE_FOLDER = WEB_FOLDER / "templates" / "documents"
STYLESHEET = WEB_FOLDER / "static" / "document.css"


def nhs_number(value: str) -> str:
    """An NHS number grouped 3 3 4 as it is printed on NHS letters."""
    digits = value.replace(" ", "")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return value


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The Jinja environment for documents, built once (templates compile on first use)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_FOLDER),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nhs_number"] = nhs_number
    env.filters["date_words"] = date_words
    env.filters["time_words"] = time_words
    return env


ROUTE_LABELS = {
    "standard_of_care": "Standard of care",
    "full_discussion": "Full discussion",
    "not_ready": "Not ready",
}


@lru_cache(maxsize=1)
def _document_css() -> Markup:
    return Markup(STYLESHEET.read_text(encoding="utf-8"))


Links = Sequence[tuple[str, str]]


def _render(template: str, stylesheet_href: str | None, links: Links, **context: object) -> str:
    env = _environment()
    return env.get_template(template).render(
        route_labels=ROUTE_LABELS, stylesheet_href=stylesheet_href, links=list(links),
        document_css=_document_css(), **context,
    )


def render_document(template: str, *, stylesheet_href: str | None = None, links: Links = (),
                    **context: object) -> str:
    """Any printable document of the documents folder (the SACT prescription chart uses it)."""
    return _render(template, stylesheet_href, links, **context)


def render_outcome_form(
    document: OutcomeDocument, *, stylesheet_href: str | None = None, links: Links = ()
) -> str:
    """The MDT outcome form for one patient, as printable HTML.

    With `stylesheet_href` the page links its print stylesheet (for browsers under a
    Content-Security-Policy); without it the styles are inlined (for PDF and files).
    `links` (label, href) are shown on screen above the document and never printed.
    """
    return _render("outcome_form.html", stylesheet_href, links, doc=document)


def render_gp_letter(
    document: OutcomeDocument, *, stylesheet_href: str | None = None, links: Links = ()
) -> str:
    """The letter telling the patient's GP the MDT outcome, as printable HTML."""
    return _render("gp_letter.html", stylesheet_href, links, doc=document)


def render_patient_letter(
    document: OutcomeDocument, *, stylesheet_href: str | None = None, links: Links = ()
) -> str:
    """The patient's own copy of the outcome, in plain language, as printable HTML."""
    return _render("patient_letter.html", stylesheet_href, links, doc=document)


def render_meeting_summary(
    document: MeetingSummaryDocument, *, stylesheet_href: str | None = None, links: Links = ()
) -> str:
    """The meeting summary (attendance, every listed patient, outcomes), as printable HTML."""
    counts = document.counts or _count_routes(document.rows)
    return _render("meeting_summary.html", stylesheet_href, links, doc=document, counts=counts)


def _count_routes(rows: Sequence[SummaryRow]) -> dict[str, int]:
    counts = dict.fromkeys(ROUTE_LABELS, 0)
    for row in rows:
        counts[row.route] = counts.get(row.route, 0) + 1
    return counts


def html_to_pdf(html: str) -> bytes:
    """A PDF of a self-contained document rendered by this module."""
    # Imported here: WeasyPrint loads fonts and C libraries, which pages that never print
    # should not pay for at start-up.
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()
