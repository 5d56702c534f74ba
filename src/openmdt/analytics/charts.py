"""Server-rendered charts as SVG text (matplotlib, no CDN, no JavaScript).

Each chart is drawn from typed figures; the SVG keeps its text as text (``svg.fonttype:
none``) and carries no date, so the same figures give the same bytes. Tests check the data a
chart is drawn from, not its pixels.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from openmdt.analytics.pathway import DaysSummary
from openmdt.analytics.stats import Proportion
from openmdt.analytics.value import CashFlowYear, Sensitivity

__all__ = ["cash_flow_svg", "embed", "funnel_svg", "rates_svg", "steps_svg", "tornado_svg"]

NHS_BLUE, NHS_DARK, NHS_GREEN, NHS_RED = "#005eb8", "#003087", "#007f3b", "#d5281b"


def embed(svg: str, alt: str, *, as_image: bool = False) -> Markup:
    """A chart for an HTML page: the SVG inline (reports, PDF), or as an image with its alt
    text where the page's Content-Security-Policy forbids inline styles (the web app)."""
    if not as_image:
        return Markup(svg)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" src="data:image/svg+xml;base64,{}" alt="{}">').format(
        Markup(data), alt)


def _figure(height: float) -> tuple[object, object]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    pyplot.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "openmdt",
                            "font.family": "sans-serif", "font.size": 9})
    return pyplot.subplots(figsize=(7.5, height))


def _svg(figure: object) -> str:
    from matplotlib import pyplot

    stream = io.StringIO()
    figure.tight_layout()  # type: ignore[attr-defined]
    figure.savefig(stream, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    pyplot.close(figure)  # type: ignore[arg-type]
    text = stream.getvalue()
    return text[text.index("<svg"):]  # no XML prologue: the SVG sits inside an HTML page


def _thousands(axis: object, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    symbol = "£" if currency == "GBP" else ""
    axis.set_major_formatter(FuncFormatter(  # type: ignore[attr-defined]
        lambda value, _: f"{'-' if value < 0 else ''}{symbol}{abs(value) / 1000:,.0f}k"))


def tornado_svg(rows: Sequence[Sensitivity], centre: float, currency: str) -> str:
    """Bars from the net at each assumption's low to its high value, widest first."""
    rows = [r for r in rows if r.swing > 0]
    figure, axes = _figure(0.45 * len(rows) + 1.2)
    labels = [textwrap.fill(r.label, 34) for r in reversed(rows)]
    for index, row in enumerate(reversed(rows)):
        low, high = sorted((row.net_at_low, row.net_at_high))
        axes.barh(index, high - low, left=low, color=NHS_BLUE)  # type: ignore[attr-defined]
    axes.axvline(centre, color=NHS_DARK, linewidth=1)  # type: ignore[attr-defined]
    axes.set_yticks(range(len(labels)), labels)  # type: ignore[attr-defined]
    axes.set_xlabel(f"Net position after 3 years ({currency})")  # type: ignore[attr-defined]
    _thousands(axes.xaxis, currency)  # type: ignore[attr-defined]
    return _svg(figure)


def cash_flow_svg(years: Sequence[CashFlowYear], currency: str) -> str:
    """In-year position per year (bars) and the cumulative position (line)."""
    figure, axes = _figure(2.8)
    names = [f"Year {y.year}" for y in years]
    colours = [NHS_GREEN if y.in_year >= 0 else NHS_RED for y in years]
    axes.bar(names, [y.in_year for y in years], color=colours,  # type: ignore[attr-defined]
             label="In-year position")
    axes.plot(names, [y.cumulative for y in years], color=NHS_DARK,  # type: ignore[attr-defined]
              marker="o", label="Cumulative position")
    axes.axhline(0, color="#4c6272", linewidth=0.8)  # type: ignore[attr-defined]
    axes.set_ylabel(currency)  # type: ignore[attr-defined]
    _thousands(axes.yaxis, currency)  # type: ignore[attr-defined]
    axes.legend()  # type: ignore[attr-defined]
    return _svg(figure)


def steps_svg(steps: Mapping[str, DaysSummary], labels: Mapping[str, str]) -> str:
    """Median days per pathway step with the interquartile range as a bar."""
    shown = [(k, s) for k, s in steps.items() if s.n]
    figure, axes = _figure(0.45 * max(len(shown), 1) + 1.2)
    for index, (_, summary) in enumerate(reversed(shown)):
        axes.barh(index, summary.q3 - summary.q1, left=summary.q1,  # type: ignore[attr-defined]
                  color=NHS_BLUE, height=0.5)
        axes.plot([summary.median], [index], marker="|", markersize=14,  # type: ignore[attr-defined]
                  color=NHS_DARK)
    axes.set_yticks(range(len(shown)), [labels[k] for k, _ in reversed(shown)])  # type: ignore[attr-defined]
    axes.set_xlabel("Days (bar: interquartile range; mark: median)")  # type: ignore[attr-defined]
    return _svg(figure)


def rates_svg(rates: Mapping[str, Proportion], labels: Mapping[str, str], title: str) -> str:
    """A rate per group (points) with its 95% interval (error bars), groups in order."""
    shown = [(k, p) for k, p in rates.items() if p.rate is not None and p.ci95 is not None]
    figure, axes = _figure(2.8)
    xs = range(len(shown))
    values = [p.rate for _, p in shown]
    below = [p.rate - p.ci95[0] for _, p in shown]  # type: ignore[index,operator]
    above = [p.ci95[1] - p.rate for _, p in shown]  # type: ignore[index,operator]
    axes.errorbar(list(xs), values, yerr=[below, above], fmt="o",  # type: ignore[attr-defined]
                  color=NHS_BLUE, ecolor=NHS_DARK, capsize=3)
    axes.set_xticks(list(xs), [labels.get(k, k) for k, _ in shown], rotation=30,  # type: ignore[attr-defined]
                    ha="right")
    axes.set_ylim(0, 1.05)  # type: ignore[attr-defined]
    axes.set_ylabel(title)  # type: ignore[attr-defined]
    from matplotlib.ticker import PercentFormatter

    axes.yaxis.set_major_formatter(PercentFormatter(1.0))  # type: ignore[attr-defined]
    return _svg(figure)


def funnel_svg(points: Sequence[tuple[str, int, float]], target: float,
               limits: Sequence[tuple[int, float, float, float, float]], title: str) -> str:
    """A funnel plot: each trust's rate (y) against its number of cases (x), with the
    alliance's rate and the 95% (dashed) and 99.8% (dotted) control limits around it.

    ``points``: (trust, cases, rate); ``limits``: (cases, lower95, upper95, lower998,
    upper998) along the x axis.
    """
    figure, axes = _figure(3.4)
    ns = [row[0] for row in limits]
    for index, style, label in ((1, "--", "95% limits"), (3, ":", "99.8% limits")):
        axes.plot(ns, [row[index] for row in limits], style,  # type: ignore[attr-defined]
                  color=NHS_DARK, linewidth=1, label=label)
        axes.plot(ns, [row[index + 1] for row in limits], style,  # type: ignore[attr-defined]
                  color=NHS_DARK, linewidth=1)
    axes.axhline(target, color="#4c6272", linewidth=1,  # type: ignore[attr-defined]
                 label=f"Alliance {target:.1%}")
    axes.scatter([p[1] for p in points], [p[2] for p in points],  # type: ignore[attr-defined]
                 color=NHS_BLUE, zorder=3)
    # names alternate above and below their points, so trusts of similar size stay legible
    for rank, (name, cases, rate) in enumerate(sorted(points, key=lambda p: p[2])):
        axes.annotate(textwrap.shorten(name, 28), (cases, rate),  # type: ignore[attr-defined]
                      textcoords="offset points", xytext=(-6, 7 if rank % 2 else -12),
                      ha="right", fontsize=8)
    axes.set_xlabel("Cases (the rate's denominator)")  # type: ignore[attr-defined]
    axes.set_ylabel(title)  # type: ignore[attr-defined]
    axes.set_ylim(*_funnel_range(points, limits))  # type: ignore[attr-defined]
    axes.set_xlim(left=0)  # type: ignore[attr-defined]
    from matplotlib.ticker import PercentFormatter

    axes.yaxis.set_major_formatter(PercentFormatter(1.0))  # type: ignore[attr-defined]
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3,  # type: ignore[attr-defined]
                fontsize=8, frameon=False)
    return _svg(figure)


def _funnel_range(points: Sequence[tuple[str, int, float]],
                  limits: Sequence[tuple[int, float, float, float, float]]
                  ) -> tuple[float, float]:
    """The rates shown: every trust and the limits from half the smallest trust's cases
    on, with a margin (the limits of one or two cases span 0 to 100% and would flatten
    the funnel where the trusts are)."""
    smallest = min(p[1] for p in points) / 2
    values = [p[2] for p in points] + [v for row in limits if row[0] >= smallest
                                       for v in row[1:]]
    return max(0.0, min(values) - 0.05), min(1.02, max(values) + 0.05)
