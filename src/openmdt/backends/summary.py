"""`openmdt cohort summary`: what a cohort's output says about the population."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from openmdt.backends.inputs import load_input

__all__ = ["CohortSummary", "cohort_summary"]


@dataclass(frozen=True)
class CohortSummary:
    cases: int
    routes: tuple[tuple[str, int], ...]
    risk_group: str
    risk_groups: tuple[tuple[str, int], ...]
    not_ready_items: tuple[tuple[str, int], ...]

    @property
    def streamlined(self) -> float:
        return dict(self.routes).get("standard_of_care", 0) / self.cases if self.cases else 0.0

    def text(self) -> str:
        def share(count: int) -> str:
            return f"{count:>9}  {100 * count / self.cases:5.1f}%" if self.cases else "0"

        lines = [f"cases: {self.cases}", "routes:"]
        lines += [f"  {route:<20} {share(n)}" for route, n in self.routes]
        lines.append(f"{self.risk_group}:")
        lines += [f"  {group:<20} {share(n)}" for group, n in self.risk_groups]
        lines.append("items most often making a case not ready:")
        lines += [f"  {item:<32} {n:>9}" for item, n in self.not_ready_items]
        lines.append(f"share streamlined: {100 * self.streamlined:.1f}%")
        return "\n".join(lines)


def cohort_summary(path: str, risk_group: str = "cpg", top: int = 10) -> CohortSummary:
    con = duckdb.connect()
    load_input(con, path)
    columns = {row[0]: row[1] for row in con.execute("DESCRIBE __input").fetchall()}
    cases = con.execute("SELECT count(*) FROM __input").fetchall()[0][0]
    routes = con.execute("SELECT route, count(*) FROM __input GROUP BY route "
                         "ORDER BY count(*) DESC, route").fetchall()
    groups: list[tuple[str, int]] = []
    if risk_group in columns:
        groups = [(str(g), n) for g, n in con.execute(
            f'SELECT "{risk_group.replace(chr(34), "")}" AS g, count(*) FROM __input '
            "GROUP BY g ORDER BY g NULLS LAST").fetchall()]
    requests = "data_requests" if columns.get("data_requests", "").endswith("[]") \
        else "string_split(data_requests, ';')"
    items = con.execute(
        f"SELECT item, count(*) FROM (SELECT unnest({requests}) AS item FROM __input "
        "WHERE route = 'not_ready') WHERE item <> '' GROUP BY item "
        f"ORDER BY count(*) DESC, item LIMIT {int(top)}").fetchall()
    return CohortSummary(cases, tuple(routes), risk_group, tuple(groups), tuple(items))
