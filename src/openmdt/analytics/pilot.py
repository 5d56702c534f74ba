"""The pilot report (issue 11 §7): one HTML and PDF document with a one-page executive
summary for a finance director, then clinical safety, concordance, time and money, pathway
and method, and every table as CSV beside it. It states the OpenMDT version, the pack's id,
version and hash, the period and the assumptions' hash, so every figure is reproducible."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from openmdt import __version__
from openmdt.analytics.assumptions import Assumptions
from openmdt.analytics.audit import ConcordanceAudit
from openmdt.analytics.pathway import PathwayReport, Standards, step_label
from openmdt.analytics.recorded import RecordedFilter
from openmdt.analytics.render import Labels, concordance_context
from openmdt.analytics.render_pathway import pathway_context, standard_text
from openmdt.analytics.render_value import amount, value_context
from openmdt.analytics.report_files import csv_table, write_report
from openmdt.analytics.streamlining import StreamliningReport
from openmdt.analytics.value import ValueReport
from openmdt.knowledge.model import Pack

__all__ = ["PilotReport", "historic_pilot", "pilot_sections", "pilot_tables",
           "recorded_pilot", "write_pilot"]

_ENV = Environment(loader=PackageLoader("openmdt.analytics", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class PilotReport:
    """Every figure of the pilot, with what it was computed from."""

    pack: Pack
    source: str  # the historic file, or "recorded meetings"
    period: tuple[str, str] | None
    concordance: ConcordanceAudit
    value: ValueReport
    pathway: PathwayReport
    streamlining: StreamliningReport | None  # only from recorded meetings


def _section(template: str, context: dict[str, Any]) -> Markup:
    return Markup(_ENV.get_template(template).render(**context))


def pilot_sections(report: PilotReport, *, as_image: bool = False) -> dict[str, Markup]:
    """The concordance, value and pathway sections as HTML (for the report, and with the
    charts as images for the web dashboard)."""
    labels = Labels.of(report.pack)
    return {"concordance": _section("_concordance.html", concordance_context(
                report.concordance, labels, as_image=as_image)),
            "value": _section("_value.html", value_context(report.value, as_image=as_image)),
            "pathway": _section("_pathway.html", pathway_context(report.pathway, labels,
                                                                 as_image=as_image))}


def pilot_html(report: PilotReport) -> str:
    """The whole report as one self-contained HTML page (also the PDF's source)."""
    return _ENV.get_template("pilot.html").render(
        pilot=report, version=__version__, amount=amount, standard_text=standard_text,
        **pilot_sections(report))


def pilot_tables(report: PilotReport) -> dict[str, str]:
    """Every table of the report as CSV text, by file name."""
    audit, value, pathway = report.concordance, report.value, report.pathway
    tables = {}
    for grouping in ("by_decision", "by_option", "by_risk_group", "by_meeting", "by_month",
                     "by_organisation"):
        tables[f"concordance_{grouping}.csv"] = csv_table(
            ["group", "concordant", "conditionally_concordant", "non_concordant",
             "not_evaluable", "rate", "ci95_low", "ci95_high"],
            [[key, c.concordant, c.conditionally_concordant, c.non_concordant,
              c.not_evaluable, c.rate.rate, *(c.rate.ci95 or (None, None))]
             for key, c in audit.grouped(grouping).items()])
    tables["non_concordant.csv"] = csv_table(
        ["line", "case_id", "meeting", "decision", "chosen", "reason"],
        [[r.row.line, r.row.case_id, r.row.meeting, r.decision_id, ";".join(r.chosen),
          r.reason] for r in audit.results if r.category == "non_concordant"])
    tables["value_figures.csv"] = csv_table(
        ["figure", "label", "value", "unit", "assumptions_used"],
        [[f.key, f.label, f.value, f.unit, ";".join(f.uses)] for f in value.figures])
    tables["cash_flow.csv"] = csv_table(["year", "benefit", "costs", "in_year", "cumulative"],
                                   [[y.year, y.benefit, y.costs, y.in_year, y.cumulative]
                                    for y in value.cash_flow])
    tables["sensitivity.csv"] = csv_table(
        ["assumption", "low", "high", "net_at_low", "net_at_high", "break_even"],
        [[s.key, s.low, s.high, s.net_at_low, s.net_at_high, s.break_even]
         for s in value.sensitivity])
    tables["pathway_standards.csv"] = csv_table(
        ["standard", "days", "met", "with_both_dates", "rate", "target"],
        [[r.standard.key, r.standard.days, r.met.count, r.met.total, r.met.rate,
          r.standard.target] for r in pathway.standards])
    tables["pathway_steps.csv"] = csv_table(
        ["route", "step", "n", "median", "q1", "q3", "min", "max"],
        [[route, step_label(step), s.n, s.median, s.q1, s.q3, s.minimum, s.maximum]
         for route, steps in pathway.steps.items() for step, s in steps.items()])
    tables["days_lost_by_item.csv"] = csv_table(
        ["item", "cases", "days"],
        [[item, cases, days] for item, (cases, days) in pathway.days_lost_by_item().items()])
    if report.streamlining is not None:
        tables["meeting_load.csv"] = csv_table(
            ["meeting_date", "title", "organisation", "listed", "standard_of_care",
             "discussed", "not_ready", "rolled_over", "minutes_before", "minutes_after"],
            [[m.meeting_date.isoformat(), m.title, m.organisation, m.listed,
              m.routes["standard_of_care"], m.discussed, m.routes["not_ready"],
              m.rolled_over, m.minutes_before, m.minutes_after]
             for m in report.streamlining.meetings])
    return tables


def write_pilot(report: PilotReport, directory: Path) -> list[Path]:
    """Write pilot.html, pilot.pdf and the tables' CSV files; returns the paths."""
    return write_report(directory, "pilot", pilot_html(report), pilot_tables(report))


def historic_pilot(text: str, pack: Pack, source: str, assumptions: Assumptions,
                   standards: Standards) -> PilotReport:
    """The pilot's figures from a historic outcomes file (CSV text)."""
    from openmdt.analytics import concordance_audit, provenance, read_historic, risk_group_of
    from openmdt.analytics.pathway import cases_from_rows, pathway_report
    from openmdt.analytics.value import measured_routes, value_report

    read = read_historic(text, pack, source=source, risk_group=risk_group_of(pack, None))
    rows = read.rows
    routes = measured_routes([row.route for row in rows],
                             len({(row.organisation, row.meeting_date) for row in rows}),
                             source)
    return PilotReport(pack, source, None,
                       concordance_audit(rows, read.errors, provenance(pack, source)),
                       value_report(assumptions, routes),
                       pathway_report(cases_from_rows(rows), standards), None)


def recorded_pilot(session: Session, pack: Pack, where: RecordedFilter,
                   assumptions: Assumptions, standards: Standards) -> PilotReport:
    """The pilot's figures from the recorded meetings (the safety net's included)."""
    from openmdt.analytics import audit_recorded
    from openmdt.analytics.pathway import pathway_report
    from openmdt.analytics.recorded import (
        meetings_remembered,
        recorded_pathway_cases,
        recorded_routes,
    )
    from openmdt.analytics.streamlining import streamlining_report
    from openmdt.analytics.value import value_report

    with meetings_remembered(session):  # the four parts read the same meetings once
        return PilotReport(
            pack, "recorded meetings", where.period(), audit_recorded(session, pack, where),
            value_report(assumptions, recorded_routes(session, pack, where)),
            pathway_report(recorded_pathway_cases(session, pack, where), standards),
            streamlining_report(session, pack, where))
