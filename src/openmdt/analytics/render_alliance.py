"""The alliance view as CSV tables, an HTML section (web page and report), and the alliance
report (HTML and PDF) that `openmdt report pilot --alliance NAME` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from openmdt import __version__
from openmdt.analytics.alliance import MEASURES, AllianceReport, TrustFigures
from openmdt.analytics.charts import embed, funnel_svg
from openmdt.analytics.funnel import funnel_limits
from openmdt.analytics.report_files import csv_table, write_report

__all__ = ["alliance_html", "alliance_section", "alliance_tables", "write_alliance"]

_ENV = Environment(loader=PackageLoader("openmdt.analytics", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
FUNNEL_STEPS = 60  # points along each limit line


def _ci(p: Any) -> list[Any]:
    return [p.rate, *(p.ci95 or (None, None))]


def _trust_row(t: TrustFigures) -> list[Any]:
    c, s = t.concordance_rate, t.streamlining
    return [t.trust, t.meetings, t.listed, t.routes.get("standard_of_care", 0),
            t.routes.get("full_discussion", 0), t.routes.get("not_ready", 0), *_ci(s),
            t.evaluable, c.count, t.concordance.get("non_concordant", 0),
            t.concordance.get("not_evaluable", 0), *_ci(c), round(t.minutes_before, 2),
            round(t.minutes_after, 2),
            round(t.minutes_released, 2), round(t.value_per_year, 2), t.streamlined,
            t.escalated.get("flagged", 0), t.escalated.get("rolled_over", 0),
            t.escalated.get("outcome_amended", 0), t.reviewed, t.disagreed]


TRUST_HEADER = ["trust", "meetings", "listed", "standard_of_care", "full_discussion",
                "not_ready", "streamlining_rate", "streamlining_ci95_low",
                "streamlining_ci95_high", "evaluable_decisions", "concordant_or_conditional",
                "non_concordant", "not_evaluable", "concordance_rate", "concordance_ci95_low",
                "concordance_ci95_high", "minutes_before", "minutes_after", "minutes_released",
                "value_per_year", "streamlined", "later_flagged", "later_rolled_over",
                "later_outcome_amended", "sample_reviewed", "sample_disagreed"]


def alliance_tables(report: AllianceReport) -> dict[str, str]:
    """Every table of the alliance view as CSV text, by file name."""
    tables = {"trusts.csv": csv_table(TRUST_HEADER, [_trust_row(t) for t in
                                                (*report.trusts, report.totals)])}
    for measure in MEASURES:
        tables[f"funnel_{measure}.csv"] = csv_table(
            ["trust", "cases", "rate", "alliance_rate", "lower_95", "upper_95", "lower_99_8",
             "upper_99_8", "position"],
            [[p.trust, p.n, p.rate, report.totals.rate(measure).rate, p.limits.lower95,
              p.limits.upper95, p.limits.lower998, p.limits.upper998, p.position]
             for p in report.funnel(measure)])
    tables["variation.csv"] = csv_table(
        ["measure", "alliance_rate", "lowest_trust", "highest_trust", "spread",
         "trusts_beyond_95", "trusts_beyond_99_8"],
        [[v.measure, v.target.rate, v.lowest, v.highest, v.spread, v.beyond95, v.beyond998]
         for v in (report.variation(m) for m in MEASURES)])
    tables["pathway_medians.csv"] = csv_table(
        ["trust", "step", "cases", "median_days"],
        [[t.trust, step, *t.step_days.get(step, (0, None))] for t in report.trusts
         for step in report.steps()])
    tables["standards.csv"] = csv_table(
        ["trust", "standard", "met", "with_both_dates", "rate"],
        [[t.trust, key, met, total, met / total if total else None]
         for t in (*report.trusts, report.totals) for key, (met, total) in t.standards.items()])
    tables["packs.csv"] = csv_table(
        ["trust", "pack_id", "version", "hash", "evaluations", "first_month", "last_month",
         "status"],
        [[t.trust, u.pack_id, u.version, u.hash, u.evaluations, u.first_month, u.last_month,
          u.status] for t in report.trusts for u in t.packs])
    return tables


def _funnel_chart(report: AllianceReport, measure: str, *, as_image: bool) -> Markup | None:
    points = report.funnel(measure)
    target = report.totals.rate(measure).rate
    if not points or target is None:
        return None
    largest = max(p.n for p in points)
    top = max(int(largest * 1.15), largest + 2)
    ns = sorted({max(1, round(1 + i * (top - 1) / FUNNEL_STEPS)) for i in
                 range(FUNNEL_STEPS + 1)})
    limits = []
    for n in ns:
        f = funnel_limits(target, n)
        limits.append((n, f.lower95, f.upper95, f.lower998, f.upper998))
    svg = funnel_svg([(p.trust, p.n, p.rate) for p in points], target, limits,
                     MEASURES[measure])
    alt = (f"Funnel plot of {MEASURES[measure].lower()}: "
           + "; ".join(f"{p.trust} {p.rate:.1%} of {p.n} ({p.position})" for p in points))
    return embed(svg, alt, as_image=as_image)


def alliance_section(report: AllianceReport, *, as_image: bool = False) -> Markup:
    """The alliance view as HTML: trusts side by side, variation, funnels, packs."""
    from openmdt.analytics.render_value import amount

    charts = {m: _funnel_chart(report, m, as_image=as_image) for m in MEASURES}
    return Markup(_ENV.get_template("_alliance.html").render(
        report=report, charts=charts, measures=MEASURES, amount=amount,
        variations=[report.variation(m) for m in MEASURES]))


def alliance_html(report: AllianceReport) -> str:
    """The alliance report as one self-contained HTML page (also the PDF's source)."""
    return _ENV.get_template("alliance.html").render(report=report, version=__version__,
                                                     section=alliance_section(report))


def write_alliance(report: AllianceReport, directory: Path) -> list[Path]:
    """Write alliance.html, alliance.pdf and the tables' CSV files; returns the paths."""
    return write_report(directory, "alliance", alliance_html(report), alliance_tables(report))
