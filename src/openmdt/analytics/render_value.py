"""The value report as text, JSON, HTML (with SVG charts) and PDF."""

from __future__ import annotations

import json

from jinja2 import Environment, PackageLoader, select_autoescape

from openmdt import __version__
from openmdt.analytics.charts import cash_flow_svg, embed, tornado_svg
from openmdt.analytics.value import Figure, ValueReport

__all__ = ["amount", "render_value"]

_ENV = Environment(loader=PackageLoader("openmdt.analytics", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def amount(value: float, unit: str) -> str:
    """A figure as people read it: GBP 1,234 as £1,234, shares as percentages."""
    if unit == "GBP":
        return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    if float(value).is_integer():
        return f"{value:,.0f} {unit}".strip()
    return f"{value:,.1f} {unit}".strip()


def _uses(figure: Figure, report: ValueReport) -> str:
    """The assumptions a figure used, by label; every figure rests on the streamlined share,
    which is measured when data was given."""
    names = [report.assumptions.items[k].label if k in report.assumptions.items else k
             for k in figure.uses]
    if report.measured is not None:
        names.insert(0, f"measured streamlined share ({report.measured.source})")
    return "; ".join(names)


def value_text(report: ValueReport) -> str:
    """The report as plain text for a terminal."""
    a = report.assumptions
    lines = [f"Value of streamlining (OpenMDT {__version__})",
             f"Assumptions: {a.source} ({a.hash}); cost method: {a.cost_method}"]
    if report.measured is not None:
        m = report.measured
        lines.append(f"Measured: {m.standard_of_care} of {m.listed} listed cases on a Standard "
                     f"of Care at {m.meetings} meetings ({m.source})")
    lines += ["", "Figures (and the assumptions each uses):"]
    for figure in report.figures:
        lines.append(f"  {figure.label}: {amount(figure.value, figure.unit)}")
        lines.append(f"    uses: {_uses(figure, report)}")
    lines += ["", f"Cash flow ({a.currency}), one trust: year, benefit, costs, in-year, "
                  "cumulative"]
    lines += [f"  Year {y.year}: {amount(y.benefit, 'GBP')}, {amount(y.costs, 'GBP')}, "
              f"{amount(y.in_year, 'GBP')}, {amount(y.cumulative, 'GBP')}"
              for y in report.cash_flow]
    payback = f"year {report.payback_year}" if report.payback_year else "not within 3 years"
    lines += [f"  Payback: {payback}", "",
              "Sensitivity (net after 3 years at the low and high value) and break-even:"]
    for row in report.sensitivity:
        unit = a.items[row.key].unit
        even = "none" if row.break_even is None else amount(row.break_even, unit)
        lines.append(f"  {row.label}: {amount(row.low, unit)} -> {amount(row.net_at_low, 'GBP')}"
                     f"; {amount(row.high, unit)} -> {amount(row.net_at_high, 'GBP')}; "
                     f"break-even {even}")
    lines += ["", "Assumptions:"]
    lines += [f"  {item.label}: {amount(item.value, item.unit)} ({item.basis}; {item.source})"
              for item in a.items.values()]
    return "\n".join(lines) + "\n"


def value_html(report: ValueReport) -> str:
    """The report as a self-contained HTML page with its charts (also the PDF's source)."""
    return _ENV.get_template("value.html").render(**value_context(report))


def value_context(report: ValueReport, *, as_image: bool = False) -> dict[str, object]:
    """What the value section shows (its own page, or a section of the pilot report)."""
    net = report.figure("net_three_years").value
    currency = report.assumptions.currency
    return {"report": report, "version": __version__, "amount": amount,
            "uses": lambda figure: _uses(figure, report),
            "tornado": embed(tornado_svg(report.sensitivity, net, currency),
                             "Tornado chart: the net position after 3 years at each "
                             "assumption's low and high value (figures in the table below)",
                             as_image=as_image),
            "cash_flow": embed(cash_flow_svg(report.cash_flow, currency),
                               "Cash flow: in-year and cumulative position per year (figures "
                               "in the table below)", as_image=as_image)}


def render_value(report: ValueReport, fmt: str) -> bytes:
    """The report in text, json, html or pdf."""
    if fmt == "json":
        return (json.dumps(report.to_dict(), indent=2) + "\n").encode()
    if fmt == "text":
        return value_text(report).encode()
    html = value_html(report)
    if fmt == "html":
        return html.encode()
    from openmdt.meetings.documents import html_to_pdf

    return html_to_pdf(html)
