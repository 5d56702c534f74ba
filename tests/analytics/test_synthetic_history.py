"""The synthetic history's known true rates come back out of the concordance audit exactly."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from pypdf import PdfReader

from openmdt.analytics import audit_historic
from openmdt.analytics.render import render_concordance
from openmdt.knowledge import load_pack
from openmdt.synth.history import HISTORY_COLUMNS, generate_prostate_history

Z = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def pack():
    return load_pack("prostate-nice-ng131")


@pytest.fixture(scope="module")
def history(pack):
    return generate_prostate_history(pack, 160, 11, concordance=0.85, deviation_rate=0.4)


@pytest.fixture(scope="module")
def historic_csv(history) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(history.rows)
    return stream.getvalue()


@pytest.fixture(scope="module")
def audit(pack, historic_csv):
    return audit_historic(historic_csv, pack, source="history.csv")


def test_the_generator_writes_the_requested_rates(history):
    truth = history.truth
    assert truth.cases == 160  # 20 cases a weekly meeting, 8 weeks (+1 for deferrals)
    assert truth.meetings in (8, 9)
    assert truth.followed == round(0.85 * truth.evaluable)
    assert truth.deviations_with_reason == round(0.4 * truth.deviated)


def test_the_audit_finds_the_true_counts_rate_and_interval(audit, history):
    truth = history.truth
    counts = audit.counts
    assert audit.cases == 160 and not audit.errors
    assert audit.listings == 160 + truth.relisted
    assert audit.without_decision == truth.relisted
    assert counts.concordant == truth.followed_definitive
    assert counts.concordant + counts.conditionally_concordant == truth.followed
    assert counts.non_concordant == truth.deviated
    assert counts.not_evaluable == truth.not_evaluable
    rate = counts.rate
    assert rate.rate == truth.followed / truth.evaluable
    assert rate.ci95 == pytest.approx(wilson(truth.followed, truth.evaluable), abs=1e-12)
    coded = [r for r in audit.results
             if r.category == "non_concordant" and r.reason != "no reason recorded"]
    assert len(coded) == truth.deviations_with_reason


def test_pathway_dates_are_in_order(historic_csv):
    for row in csv.DictReader(io.StringIO(historic_csv)):
        days = [row[name] for name in ("referral_date", "first_seen_date", "diagnosis_date")]
        days += [row["meeting_date"], row["decision_to_treat_date"], row["first_treatment_date"]]
        known = [d for d in days if d]
        assert known == sorted(known)


def test_the_same_seed_gives_the_same_file(pack, history):
    again = generate_prostate_history(pack, 160, 11, concordance=0.85, deviation_rate=0.4)
    assert again.rows == history.rows


def test_json_keys_are_stable(audit, pack):
    report = json.loads(render_concordance(audit, pack, "json"))
    assert {"cases", "rejected", "concordance", "by_decision", "kappa"} <= set(report)
    assert {"concordant", "conditionally_concordant", "non_concordant", "not_evaluable",
            "rate", "ci95"} <= set(report["concordance"])


def test_pdf_has_pages_and_extractable_text(audit, pack):
    pdf = PdfReader(io.BytesIO(render_concordance(audit, pack, "pdf")))
    assert len(pdf.pages) >= 2
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Concordance with the guideline" in text
    assert f"{audit.counts.rate.count} of {audit.counts.evaluable}" in text
    assert "prostate-nice-ng131" in text


def test_html_names_options_by_title_not_id(audit, pack):
    html = render_concordance(audit, pack, "html").decode()
    assert "Treatment of localised or locally advanced (M0) prostate cancer" in html
    assert "<td>localised_treatment</td>" not in html
