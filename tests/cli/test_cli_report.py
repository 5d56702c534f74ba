"""`openmdt synth history prostate` and `openmdt report concordance` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import MINI, invoke


def test_synth_history_writes_a_file_and_its_true_rates(tmp_path: Path) -> None:
    out, truth = tmp_path / "history.csv", tmp_path / "truth.json"
    run = invoke("synth", "history", "prostate", "--n", "40", "--seed", "5",
                 "--concordance", "0.8", "--deviation-rate", "1", "-o", str(out),
                 "--truth", str(truth))
    assert run.exit_code == 0, run.output
    known = json.loads(truth.read_text())
    assert known["cases"] == 40 and known["followed"] == round(0.8 * known["evaluable"])
    assert known["deviations_with_reason"] == known["deviated"]
    report = invoke("report", "concordance", str(out), "--format", "json")
    assert report.exit_code == 0, report.output
    figures = json.loads(report.stdout)
    assert figures["cases"] == 40
    assert figures["concordance"]["rate"] == known["concordance"]


def test_bad_rows_are_listed_and_the_exit_status_says_so(tmp_path: Path) -> None:
    historic = tmp_path / "historic.csv"
    historic.write_text("case_id,meeting_date,mdt_decision,score,grade,stage,fit,spread\n"
                        "A1,2026-01-06,watch,5,1,A,true,false\n"
                        "A2,2026-01-06,,5,1,A,true,false\n"
                        "A3,2026-01-06,watch,5,1,A,maybe,false\n", encoding="utf-8")
    run = invoke("report", "concordance", str(historic), "--pack", MINI)
    assert run.exit_code == 1
    assert ("Cases analysed: 2 (2 listings); rows rejected: 1; listings without a decision "
            "(deferred): 1") in run.stdout
    assert "line 4, column fit, value 'maybe'" in run.stdout
    assert "1 rows rejected" in run.stderr


def test_formats_and_output_files(tmp_path: Path) -> None:
    historic = tmp_path / "historic.csv"
    historic.write_text("case_id,meeting_date,mdt_decision,score,grade,stage,fit,spread\n"
                        "A1,2026-01-06,watch,5,1,A,true,false\n", encoding="utf-8")
    for fmt in ("html", "pdf"):
        out = tmp_path / f"report.{fmt}"
        run = invoke("report", "concordance", str(historic), "--pack", MINI, "--format", fmt,
                     "-o", str(out))
        assert run.exit_code == 0, run.output
        assert out.read_bytes().startswith(b"%PDF" if fmt == "pdf" else b"<!doctype html>")
    pdf_to_stdout = invoke("report", "concordance", str(historic), "--pack", MINI,
                           "--format", "pdf")
    assert pdf_to_stdout.exit_code == 1 and "a PDF needs -o FILE" in pdf_to_stdout.stderr
    wrong = invoke("report", "concordance", str(historic), "--pack", MINI, "--format", "xml")
    assert wrong.exit_code == 1 and "text, json, html, pdf" in wrong.stderr
    missing = invoke("report", "concordance", str(tmp_path / "nope.csv"), "--pack", MINI)
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
    unknown = invoke("report", "concordance", str(historic), "--pack", MINI,
                     "--risk-group", "cpg")
    assert unknown.exit_code == 2 and "--risk-group 'cpg' is not an item" in unknown.stderr
    assert "group" in unknown.stderr  # the pack's derived facts are named


def test_report_value_measures_the_share_from_a_historic_file(tmp_path: Path) -> None:
    historic = tmp_path / "history.csv"
    assert invoke("synth", "history", "prostate", "--n", "20", "--seed", "2",
                  "-o", str(historic), "--truth", str(tmp_path / "truth.json")).exit_code == 0
    run = invoke("report", "value", "--historic", str(historic), "--format", "json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    measured = report["measured"]
    known = json.loads((tmp_path / "truth.json").read_text())
    assert measured["listed"] == 20 + known["relisted"]
    assert measured["meetings"] == known["meetings"]
    share = measured["standard_of_care"] / measured["listed"]
    assert report["figures"]["streamlined_share"]["value"] == share
    assert report["figures"]["value_per_year"]["value"] == pytest.approx(share * 2000 * 415)


def test_report_value_refuses_a_bad_assumptions_file(tmp_path: Path) -> None:
    bad = tmp_path / "assumptions.yaml"
    bad.write_text("assumptions: []\n", encoding="utf-8")
    run = invoke("report", "value", "--assumptions", str(bad))
    assert run.exit_code == 1 and "'assumptions' must be a mapping" in run.stderr


def test_report_pathway_html_and_a_bad_standards_file(tmp_path: Path) -> None:
    historic = tmp_path / "history.csv"
    assert invoke("synth", "history", "prostate", "--n", "20", "--seed", "2",
                  "-o", str(historic)).exit_code == 0
    out = tmp_path / "pathway.html"
    run = invoke("report", "pathway", str(historic), "--format", "html", "-o", str(out))
    assert run.exit_code == 0, run.output
    html = out.read_text()
    assert "<svg" in html and "62-day standard" in html and "Referral to first seen" in html
    bad = tmp_path / "standards.yaml"
    bad.write_text("standards: {}\n", encoding="utf-8")
    refused = invoke("report", "pathway", str(historic), "--standards", str(bad))
    assert refused.exit_code == 1 and "'standards' must be a mapping" in refused.stderr
