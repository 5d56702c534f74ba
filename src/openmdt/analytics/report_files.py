"""What every proof-of-value report writes: its tables as CSV text and, in a folder, its HTML,
the PDF made from that HTML, and one CSV file per table (the pilot and the alliance reports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["csv_table", "write_report"]


def csv_table(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """One table as CSV text: the header, then the rows."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue()


def write_report(directory: Path, stem: str, html: str, tables: Mapping[str, str]
                 ) -> list[Path]:
    """Write ``stem``.html, ``stem``.pdf and each table's CSV file into ``directory``
    (created if needed); returns the paths, in that order."""
    from openmdt.meetings.documents import html_to_pdf

    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / f"{stem}.html", directory / f"{stem}.pdf"]
    written[0].write_text(html, encoding="utf-8")
    written[1].write_bytes(html_to_pdf(html))
    for name, text in tables.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
