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


def audit_historic(text: str, pack: Pack, *, source: str, risk_group: str = "cpg"
                   ) -> ConcordanceAudit:
    """The concordance audit of a historic outcomes file (CSV text)."""
    historic = read_historic(text, pack, source=source, risk_group=risk_group)
    return concordance_audit(historic.rows, historic.errors, provenance(pack, source))


def provenance(pack: Pack, source: str, period: tuple[str, str] | None = None) -> Provenance:
    """The software, pack and source the figures come from."""
    return Provenance(__version__, pack.id, str(pack.version), pack.hash, source, period)


def audit_recorded(session: object, pack: Pack, where: object, *, risk_group: str = "cpg"
                   ) -> ConcordanceAudit:
    """The concordance audit of the outcomes recorded in the database (``where``: a
    RecordedFilter)."""
    from openmdt.analytics.recorded import recorded_rows

    rows, errors = recorded_rows(session, pack, where, risk_group)  # type: ignore[arg-type]
    return concordance_audit(rows, errors, provenance(pack, "recorded outcomes",
                                                      where.period()))  # type: ignore[attr-defined]
