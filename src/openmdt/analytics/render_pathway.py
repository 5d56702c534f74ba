"""The pathway report as text, JSON, HTML (with a chart) and PDF."""

from __future__ import annotations

import json

from jinja2 import Environment, PackageLoader, select_autoescape

from openmdt import __version__
from openmdt.analytics.charts import embed, steps_svg
from openmdt.analytics.pathway import DaysSummary, PathwayReport, StandardResult, step_label
from openmdt.analytics.render import Labels
from openmdt.knowledge.model import Pack

__all__ = ["render_pathway"]

ROUTE_LABELS = {"all": "All cases", "standard_of_care": "Standard of Care",
                "full_discussion": "Full discussion", "not_ready": "Not ready"}
_ENV = Environment(loader=PackageLoader("openmdt.analytics", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def days_text(summary: DaysSummary) -> str:
    """'median 12 days (IQR 8-15, range 2-40; 50 cases)', or 'no cases with both dates'."""
    if summary.n == 0:
        return "no cases with both dates"
    return (f"median {summary.median:g} days (IQR {summary.q1:g}-{summary.q3:g}, range "
            f"{summary.minimum}-{summary.maximum}; {summary.n} cases)")


def standard_text(result: StandardResult) -> str:
    s = result.standard
    target = "" if s.target is None else (
        f"; target {s.target:.0%}: {'met' if result.meets_target else 'not met'}"
        if result.meets_target is not None else f"; target {s.target:.0%}")
    return f"{s.label}: {result.met.text()} within {s.days} days{target}"


def _cases(count: int) -> str:
    return f"{count} case" if count == 1 else f"{count} cases"


def pathway_text(report: PathwayReport, labels: Labels) -> str:
    """The report as plain text for a terminal."""
    lines = [f"Pathway report (OpenMDT {__version__}); {report.cases} cases (each at its "
             "last listing)",
             f"Standards: {report.standards_source} ({report.standards_hash})", ""]
    lines += ["Waiting-time standards (95% Wilson intervals):"]
    lines += [f"  {standard_text(r)}" for r in report.standards]
    lines += [f"    source: {r.standard.source}" for r in report.standards]
    for route, steps in report.steps.items():
        lines += ["", f"Days per step, {ROUTE_LABELS[route].lower()}:"]
        lines += [f"  {step_label(step)}: {days_text(s)}" for step, s in steps.items()]
    lost = report.days_lost_by_item()
    lines += ["", f"Days lost to cases not ready or rolled over: "
                  f"{sum(d.days for d in report.delays)} days over {len(report.delays)} listings"]
    lines += [f"  {labels(item)}: {_cases(cases)}, {days} days" for item, (cases, days)
              in lost.items()]
    lines += ["  By referring team:"]
    lines += [f"    {team}: {_cases(cases)}, {days} days" for team, (cases, days)
              in report.days_lost_by_team().items()] or ["    none"]
    return "\n".join(lines) + "\n"


def pathway_html(report: PathwayReport, labels: Labels) -> str:
    return _ENV.get_template("pathway.html").render(**pathway_context(report, labels))


def pathway_context(report: PathwayReport, labels: Labels, *, as_image: bool = False
                    ) -> dict[str, object]:
    """What the pathway section shows (its own page, or a section of the pilot report)."""
    steps = report.steps["all"]
    chart = embed(steps_svg(steps, {k: step_label(k) for k in steps}),
                  "Days per pathway step: median and interquartile range (figures in the "
                  "table below)", as_image=as_image)
    return {"report": report, "labels": labels, "routes": ROUTE_LABELS, "version": __version__,
            "days_text": days_text, "standard_text": standard_text, "step_label": step_label,
            "chart": chart}


def render_pathway(report: PathwayReport, pack: Pack, fmt: str) -> bytes:
    """The report in text, json, html or pdf."""
    if fmt == "json":
        return (json.dumps(report.to_dict(), indent=2) + "\n").encode()
    if fmt == "text":
        return pathway_text(report, Labels.of(pack)).encode()
    html = pathway_html(report, Labels.of(pack))
    if fmt == "html":
        return html.encode()
    from openmdt.meetings.documents import html_to_pdf

    return html_to_pdf(html)
