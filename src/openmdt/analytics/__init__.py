"""Proof-of-value analytics (issue 11): concordance audit, pathway and value reports.

A shell over the core: it reads historic files and recorded outcomes, evaluates them with
the engine and computes figures; nothing in the core imports it.
"""

from __future__ import annotations

from openmdt import __version__
from openmdt.analytics.audit import ConcordanceAudit, Provenance, RowError, concordance_audit
from openmdt.analytics.historic import HistoricFile, read_historic
from openmdt.knowledge.model import Pack

__all__ = ["ConcordanceAudit", "HistoricFile", "Provenance", "RowError", "audit_historic",
           "audit_recorded", "provenance",
           "concordance_audit", "read_historic"]


def check_risk_group(pack: Pack, name: str | None) -> None:
    """ValueError unless ``name`` is an item or derived fact of the pack (the breakdown by
    risk group reads it); None means the pack's ``cpg`` if it has one, else no breakdown."""
    names = {*pack.items, *(d.name for d in pack.derived)}
    if name is None:
        return
    if name not in names:
        raise ValueError(f"--risk-group {name!r} is not an item or derived fact of pack "
                         f"{pack.id}; allowed: {', '.join(sorted(d.name for d in pack.derived))}"
                         " or an item")


def risk_group_of(pack: Pack, name: str | None) -> str | None:
    """The risk group to break figures down by: the name given, else ``cpg`` if the pack
    has it."""
    if name is not None:
        return name
    return "cpg" if "cpg" in {d.name for d in pack.derived} else None


def audit_historic(text: str, pack: Pack, *, source: str, risk_group: str | None = None
                   ) -> ConcordanceAudit:
    """The concordance audit of a historic outcomes file (CSV text)."""
    check_risk_group(pack, risk_group)
    historic = read_historic(text, pack, source=source,
                             risk_group=risk_group_of(pack, risk_group))
    return concordance_audit(historic.rows, historic.errors, provenance(pack, source))


def provenance(pack: Pack, source: str, period: tuple[str, str] | None = None) -> Provenance:
    """The software, pack and source the figures come from."""
    return Provenance(__version__, pack.id, str(pack.version), pack.hash, source, period)


def audit_recorded(session: object, pack: Pack, where: object, *,
                   risk_group: str | None = None) -> ConcordanceAudit:
    """The concordance audit of the outcomes recorded in the database (``where``: a
    RecordedFilter)."""
    from openmdt.analytics.recorded import recorded_rows

    check_risk_group(pack, risk_group)
    rows, errors = recorded_rows(session, pack, where,  # type: ignore[arg-type]
                                 risk_group_of(pack, risk_group))
    return concordance_audit(rows, errors, provenance(pack, "recorded outcomes",
                                                      where.period()))  # type: ignore[attr-defined]
