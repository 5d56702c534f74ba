"""The concordance audit as text, JSON, HTML and PDF (labels from the pack, never raw ids)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from openmdt.analytics.audit import ConcordanceAudit, Counts
from openmdt.analytics.stats import Kappa
from openmdt.knowledge.model import Pack
from openmdt.knowledge.words import humanise
from openmdt.meetings.codes import DEVIATION_REASONS

__all__ = ["FORMATS", "Labels", "render_concordance"]

FORMATS = ("text", "json", "html", "pdf")
CATEGORY_LABELS = {"concordant": "Concordant",
                   "conditionally_concordant": "Conditionally concordant",
                   "non_concordant": "Non-concordant", "not_evaluable": "Not evaluable"}
GROUP_TITLES = {"by_decision": "Decision", "by_option": "Option chosen",
                "by_risk_group": "Risk group", "by_meeting": "Meeting", "by_month": "Month",
                "by_organisation": "Organisation"}
_ENV = Environment(loader=PackageLoader("openmdt.analytics", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Labels:
    """What people read for each decision, option and item id of a pack."""

    names: Mapping[str, str]

    @classmethod
    def of(cls, pack: Pack) -> Labels:
        names: dict[str, str] = {"": "Outside the pack", "(outside the pack)": "Outside the pack"}
        for decision in pack.decisions:
            names[decision.id] = decision.title
            for candidate in decision.candidates:
                names[f"{decision.id}/{candidate.id}"] = candidate.title
        for name, item in pack.items.items():
            names.setdefault(name, str(item.label or humanise(name)))
        return cls(names)

    def __call__(self, key: str) -> str:
        return self.names.get(key, key)

    def group(self, grouping: str, key: str) -> str:
        """A group's name: a month as 'January 2026', a deviation code by its label."""
        if grouping == "by_month":
            return _month(key)
        return self(key)

    def reason(self, code: str) -> str:
        return DEVIATION_REASONS.get(code, code)

    def option(self, decision_id: str, option_id: str) -> str:
        return self.names.get(f"{decision_id}/{option_id}", option_id)

    def items(self, names: list[str]) -> str:
        return ", ".join(self(n) for n in names)


def _month(key: str) -> str:
    from datetime import date

    try:
        return f"{date.fromisoformat(key + '-01'):%B %Y}"
    except ValueError:
        return key


def render_concordance(audit: ConcordanceAudit, pack: Pack, fmt: str) -> bytes:
    """The audit in one of FORMATS."""
    if fmt == "json":
        return (json.dumps(audit.to_dict(), indent=2, sort_keys=False) + "\n").encode()
    if fmt == "text":
        return concordance_text(audit, Labels.of(pack)).encode()
    html = concordance_html(audit, Labels.of(pack))
    if fmt == "html":
        return html.encode()
    from openmdt.meetings.documents import html_to_pdf

    return html_to_pdf(html)


def _kappa_text(kappa: Kappa) -> str:
    if kappa.kappa is None:
        return f"not computable ({kappa.n} pairs)"
    return (f"{kappa.kappa:.3f} over {kappa.n} decisions (observed agreement "
            f"{kappa.observed_agreement:.1%}, expected by chance {kappa.expected_agreement:.1%})")


def _counts_line(counts: Counts) -> str:
    return (f"{counts.concordant:>6} {counts.conditionally_concordant:>6} "
            f"{counts.non_concordant:>6} {counts.not_evaluable:>6}  {counts.rate.text()}")


def concordance_text(audit: ConcordanceAudit, labels: Labels) -> str:
    """The report as plain text for a terminal."""
    p = audit.provenance
    counts = audit.counts
    lines = [f"Concordance audit: {p.pack_id} {p.pack_version} ({p.pack_hash})",
             f"Source: {p.source}; OpenMDT {p.openmdt_version}",
             f"Cases analysed: {audit.cases} ({audit.listings} listings); rows rejected: "
             f"{len(audit.errors)}; listings without a decision (deferred): "
             f"{audit.without_decision}",
             f"Decisions: {counts.total} ({counts.evaluable} evaluable)", ""]
    lines += [f"  {CATEGORY_LABELS[c]:<26} {getattr(counts, c):>6}" for c in CATEGORY_LABELS]
    lines += ["", f"Concordance rate: {counts.rate.text()}",
              f"Kappa, MDT vs panel: {_kappa_text(audit.kappa_mdt_panel)}",
              f"Kappa, MDT vs system: {_kappa_text(audit.kappa_mdt_system)}"]
    for grouping in ("by_decision", "by_risk_group", "by_month"):
        lines += ["", f"{GROUP_TITLES[grouping]}: concordant, conditional, non-concordant, "
                      "not evaluable, rate"]
        for key, c in audit.grouped(grouping).items():
            lines += [f"  {labels.group(grouping, key)}", f"    {_counts_line(c)}"]
    lines += ["", "Non-concordant decisions:"]
    lines += [f"  line {r.row.line or '-'}: case {r.row.case_id}, {r.row.meeting}: chose "
              f"{', '.join(labels.option(r.decision_id, o) for o in r.chosen)}; reason: "
              f"{labels.reason(r.reason)}"
              for r in audit.results if r.category == "non_concordant"] or ["  none"]
    lines += ["", "Rejected rows:"]
    lines += [f"  line {e.line}, column {e.column}, value {e.value!r}: {e.message}"
              f"{f' (allowed: {e.allowed})' if e.allowed else ''}" for e in audit.errors] \
        or ["  none"]
    return "\n".join(lines) + "\n"


def concordance_html(audit: ConcordanceAudit, labels: Labels) -> str:
    """The report as a self-contained HTML page (also the source of the PDF)."""
    return _ENV.get_template("concordance.html").render(**concordance_context(audit, labels))


def concordance_context(audit: ConcordanceAudit, labels: Labels, *, as_image: bool = False
                        ) -> dict[str, object]:
    """What the concordance section shows (its own page, or a section of the pilot report)."""
    from openmdt.analytics.charts import embed, rates_svg

    months = audit.grouped("by_month")
    chart = embed(rates_svg({k: c.rate for k, c in months.items()},
                            {k: _month(k) for k in months}, "Concordance"),
                  "Concordance by month with 95% intervals (the figures are in the table by "
                  "month)", as_image=as_image) if months else ""
    return {"audit": audit, "labels": labels, "categories": CATEGORY_LABELS,
            "groups": GROUP_TITLES, "kappa_text": _kappa_text, "chart": chart}
