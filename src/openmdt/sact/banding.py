"""NHS England national dose banding: versioned tables as data and the band a dose falls in.

Each row has From >=, To(A) <, To(B) <= and the band dose (SACT notes §2.1). With
``boundary="up"`` a dose exactly on the step between two bands goes to the higher band
(To(A)); with ``"down"`` to the lower (To(B)). Which one a trust uses is a local setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from openmdt.knowledge.checks import Reporter
from openmdt.knowledge.diagnostics import Diagnostic
from openmdt.knowledge.yamlsource import LocatedDict, LocatedList, YamlProblem, load_located
from openmdt.sact.quantities import decimal, rounded

TABLES_DIR = Path(__file__).resolve().parent / "tables"
Boundary = Literal["up", "down"]
DEFAULT_BOUNDARY: Boundary = "up"  # local policy: To(A), a dose on a step goes up a band
TABLE_KEYS = {"id", "title", "strength_mg_per_ml", "version", "kind", "tolerance_percent",
              "confidence", "source", "drugs", "note", "columns", "rows"}


@dataclass(frozen=True)
class BandRow:
    """One row of a banding table (mg)."""

    start: Decimal
    to_a: Decimal
    to_b: Decimal
    band: Decimal
    line: int

    def worst_variance_percent(self) -> Decimal:
        """The largest distance between the band dose and a dose in this row, in percent."""
        below = (self.band - self.start) / self.start * 100
        above = (self.to_a - self.band) / self.to_a * 100
        return rounded(max(below, above), 2)


@dataclass(frozen=True)
class BandingTable:
    """A national table of one product strength, with its version and source."""

    id: str
    title: str
    version: str
    strength_mg_per_ml: Decimal
    tolerance_percent: Decimal
    confidence: str
    source: str
    drugs: tuple[str, ...]
    rows: tuple[BandRow, ...]


@dataclass(frozen=True)
class BandedDose:
    """The band a calculated dose falls in, or why there is none."""

    table_id: str
    table_version: str
    band_mg: Decimal | None
    variance_percent: Decimal | None
    reason: str | None = None
    beyond_tolerance: bool = False


def band_dose(table: BandingTable, dose_mg: Decimal,
              boundary: Boundary = DEFAULT_BOUNDARY) -> BandedDose:
    """Band ``dose_mg``; a dose outside every row is unbanded, with the reason."""
    row = _row_for(table, dose_mg, boundary)
    if row is None:
        low, high = table.rows[0].start, table.rows[-1].to_a
        return BandedDose(table.id, table.version, None, None,
                          f"{dose_mg.quantize(Decimal('0.01'))} mg is outside every band of "
                          f"{table.title} ({low}-{high} mg): prescribed unbanded")
    variance = rounded((row.band - dose_mg) / dose_mg * 100, 2)
    return BandedDose(table.id, table.version, row.band, variance,
                      beyond_tolerance=abs(variance) > table.tolerance_percent)


def _row_for(table: BandingTable, dose: Decimal, boundary: Boundary) -> BandRow | None:
    for index, row in enumerate(table.rows):
        if boundary == "up" and row.start <= dose < row.to_a:
            return row
        if boundary == "down":
            low_ok = dose >= row.start if index == 0 else dose > table.rows[index - 1].to_b
            if low_ok and dose <= row.to_b:
                return row
    return None


def table_ids() -> list[str]:
    """Ids of the shipped banding tables."""
    return sorted(p.stem for p in TABLES_DIR.glob("*.yaml"))


@cache
def load_table(table_id: str) -> BandingTable:
    """A shipped table, checked; raises TableLoadError with every problem."""
    table, problems = check_table(TABLES_DIR / f"{table_id}.yaml")
    if table is None:
        raise TableLoadError(table_id, problems)
    return table


class TableLoadError(Exception):
    """A banding table that failed its checks."""

    def __init__(self, table_id: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"banding table {table_id} has {len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


def check_table(path: Path) -> tuple[BandingTable | None, list[Diagnostic]]:
    """Read and check one table file: shape, numbers, rows contiguous, bands inside rows."""
    if not path.is_file():
        return None, [Diagnostic(str(path), "", 1, 1, "table_not_found",
                                 f"no banding table {path.stem!r}",
                                 f"tables: {', '.join(table_ids())}")]
    try:
        node = load_located(path, str(path.name))
    except YamlProblem as exc:
        p = exc.position
        return None, [Diagnostic(p.file, "", p.line, p.column, "invalid_yaml", exc.message)]
    reporter = Reporter()
    if not isinstance(node, LocatedDict):
        reporter.report(node, None, "", "wrong_shape", "a banding table must be a mapping")
        return None, reporter.diagnostics
    reporter.check_keys(node, "table", TABLE_KEYS, required=sorted(TABLE_KEYS - {"note"}))
    rows = _rows(reporter, node)
    if reporter.has_errors:
        return None, reporter.diagnostics
    table = BandingTable(str(node["id"]), str(node["title"]), str(node["version"]),
                         decimal(node["strength_mg_per_ml"], "strength"),
                         decimal(node["tolerance_percent"], "tolerance"),
                         str(node["confidence"]), str(node["source"]),
                         tuple(str(d) for d in node["drugs"]), tuple(rows))
    return table, reporter.diagnostics + _wide_rows(node, table)


def _rows(reporter: Reporter, node: LocatedDict) -> list[BandRow]:
    rows_node = reporter.sequence(node, "rows", "table.rows", node.get("rows"))
    rows: list[BandRow] = []
    for index, item in enumerate(rows_node or []):
        path = f"table.rows[{index}]"
        values = _row_values(reporter, rows_node, index, item, path)
        if values is None:
            continue
        row = BandRow(*values, line=rows_node.where(index).line)
        if not (row.start <= row.band < row.to_a and row.to_b < row.to_a):
            reporter.report(rows_node, index, path, "band_outside_row",
                            f"band dose {row.band} is not within From {row.start} and "
                            f"To(A) {row.to_a}, or To(B) {row.to_b} is not below To(A)")
        if rows and rows[-1].to_a != row.start:
            reporter.report(rows_node, index, path, "gap_between_bands",
                            f"row starts at {row.start} mg but the row before ends at "
                            f"{rows[-1].to_a} mg", "rows must cover the range with no gaps")
        rows.append(row)
    return rows


def _row_values(reporter: Reporter, rows_node: LocatedList, index: int, item: object,
                path: str) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
    if not isinstance(item, list) or len(item) != 4:
        reporter.report(rows_node, index, path, "wrong_shape",
                        "a row is [from, to_a, to_b, band] in mg")
        return None
    try:
        start, to_a, to_b, band = (decimal(v, "mg") for v in item)
    except ValueError as exc:
        reporter.report(rows_node, index, path, "wrong_type", str(exc))
        return None
    return start, to_a, to_b, band


def _wide_rows(node: LocatedDict, table: BandingTable) -> list[Diagnostic]:
    """A warning per row whose band goes beyond the table's tolerance (notes §2.6)."""
    rows_node = node["rows"]
    found = []
    for index, row in enumerate(table.rows):
        worst = row.worst_variance_percent()
        if worst > table.tolerance_percent:
            pos = rows_node.where(index)
            found.append(Diagnostic(pos.file, f"table.rows[{index}]", pos.line, pos.column,
                                    "band_beyond_tolerance",
                                    f"band {row.band} mg is up to {worst}% from a dose in "
                                    f"its row (tolerance {table.tolerance_percent}%)",
                                    severity="warning"))
    return found
