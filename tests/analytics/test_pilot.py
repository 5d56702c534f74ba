"""The pilot report: a one-page executive summary, then the sections; PDF text extractable;
every table written as CSV from the same figures; provenance stated."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from openmdt import __version__
from openmdt.analytics.assumptions import load_assumptions
from openmdt.analytics.pathway import load_standards
from openmdt.analytics.pilot import PilotReport, historic_pilot, write_pilot
from openmdt.knowledge import load_pack
from openmdt.synth.history import HISTORY_COLUMNS, generate_prostate_history


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[PilotReport, Path]:
    pack = load_pack("prostate-nice-ng131")
    history = generate_prostate_history(pack, 60, 9, concordance=0.8, deviation_rate=0.5)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(history.rows)
    report = historic_pilot(stream.getvalue(), pack, "history.csv", load_assumptions(),
                            load_standards())
    folder = tmp_path_factory.mktemp("pilot")
    write_pilot(report, folder)
    return report, folder


def test_the_pdf_opens_with_a_one_page_executive_summary(written):
    report, folder = written
    pages = PdfReader(folder / "pilot.pdf").pages
    assert len(pages) >= 5
    first = pages[0].extract_text()
    assert "Executive summary" in first and "Payback" in first
    assert report.concordance.counts.rate.text() in first.replace("\n", " ")
    assert "Clinical safety" not in first  # the summary has its page
    everything = " ".join(page.extract_text() for page in pages)
    for section in ("Clinical safety", "Concordance", "Time and money", "Pathway",
                    "Method and reproducibility"):
        assert section in everything


def test_provenance_is_stated(written):
    report, folder = written
    html = (folder / "pilot.html").read_text()
    assert __version__ in html and report.pack.hash in html
    assert report.value.assumptions.hash in html and report.pathway.standards_hash in html
    assert html.count("<svg") >= 4  # concordance, cash flow, tornado, pathway


def test_tables_are_written_from_the_same_figures(written):
    report, folder = written
    flow = list(csv.DictReader((folder / "cash_flow.csv").open()))
    assert [float(row["cumulative"]) for row in flow] == \
        [y.cumulative for y in report.value.cash_flow]
    months = list(csv.DictReader((folder / "concordance_by_month.csv").open()))
    assert sum(int(row["concordant"]) for row in months) == report.concordance.counts.concordant
    figures = {row["figure"]: row for row in csv.DictReader((folder / "value_figures.csv").open())}
    assert "cost_per_case_discussed" in figures["value_per_year"]["assumptions_used"]
    assert not (folder / "meeting_load.csv").exists()  # historic data: no meetings recorded
