"""Protocols are data checked at load time: every shipped one loads and passes its tests;
a bad one is refused with file, path, line:column, code and hint, like a pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openmdt.cli import app
from openmdt.sact.protocols import check_protocol, load_protocol, shipped_protocol_ids
from openmdt.sact.testing import run_protocol_tests

GOOD = load_protocol("docetaxel-prednisolone-prostate").file
runner = CliRunner()


def test_the_issue_regimens_the_notes_source_are_shipped() -> None:
    assert shipped_protocol_ids() == [
        "ac-breast", "capecitabine-colorectal", "capox-colorectal",
        "carboplatin-pemetrexed-lung", "docetaxel-prednisolone-prostate", "ec-breast",
        "mfolfox6-colorectal", "paclitaxel-weekly-breast"]


@pytest.mark.parametrize("protocol_id", shipped_protocol_ids())
def test_each_shipped_protocol_loads_cites_and_passes_its_tests(protocol_id: str) -> None:
    protocol, diagnostics = check_protocol(protocol_id)
    assert protocol is not None, [d.format() for d in diagnostics]
    assert protocol.tests, "every shipped protocol has a known-answer test"
    assert all(r.passed for r in run_protocol_tests(protocol))
    assert all(d.source.text and d.source.confidence for d in protocol.drugs)
    assert all(c.source.text and c.valid_days_source.confidence for c in protocol.criteria)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _broken(tmp_path: Path, old: str, new: str) -> list:
    text = Path(GOOD).read_text(encoding="utf-8") if Path(GOOD).is_absolute() else \
        Path(GOOD).resolve().read_text(encoding="utf-8")
    assert old in text
    protocol, diagnostics = check_protocol(_write(tmp_path, text.replace(old, new, 1)))
    assert protocol is None
    return diagnostics


def test_unknown_key_has_place_code_and_hint(tmp_path: Path) -> None:
    diagnostics = _broken(tmp_path, "    infusion_minutes: 60", "    infusion_minute: 60")
    d = next(d for d in diagnostics if d.code == "unknown_key")
    assert (d.path, d.line, d.column) == ("protocol.drugs[0].infusion_minute", 21, 22)
    assert d.hint == "did you mean 'infusion_minutes'?"
    assert d.file.endswith("bad.yaml")


def test_a_gap_between_bands_is_refused(tmp_path: Path) -> None:
    diagnostics = _broken(tmp_path, "{below: 1.5, action: hold}", "{below: 1.4, action: hold}")
    assert any(d.code == "bands_not_covering" for d in diagnostics)


def test_a_rule_without_a_source_is_refused(tmp_path: Path) -> None:
    diagnostics = _broken(
        tmp_path,
        '    source: {text: "Docetaxel label: give only if neutrophils at least 1.5 (SACT '
        'notes §3.2)", confidence: C}\n', "")
    d = next(d for d in diagnostics if d.code == "missing_source")
    assert d.path == "protocol.criteria[0].source" and d.hint == "every rule cites its source"


def test_unknown_confidence_and_unit_are_refused(tmp_path: Path) -> None:
    diagnostics = _broken(tmp_path, "    unit: mg/m2\n", "    unit: mg/m^2\n")
    assert any(d.code == "unknown_unit" and "mg/m2" in d.message for d in diagnostics)


def test_bleomycin_must_be_prescribed_in_units(tmp_path: Path) -> None:
    diagnostics = _broken(tmp_path, "  - drug: docetaxel", "  - drug: bleomycin")
    assert any(d.code == "bleomycin_in_iu" for d in diagnostics)


def test_vincristine_intrathecal_or_by_syringe_cannot_be_written(tmp_path: Path) -> None:
    # Wayne Jowett, 2001 (notes §5.1): the protocol itself cannot say intrathecal vincristine
    diagnostics = _broken(tmp_path, "  - drug: docetaxel\n    dose: 75\n    unit: mg/m2\n"
                          "    route: IV", "  - drug: vincristine\n    dose: 75\n"
                          "    unit: mg/m2\n    route: intrathecal\n    container: syringe")
    codes = {d.code for d in diagnostics}
    assert {"vinca_route", "vinca_container"} <= codes


def test_invalid_yaml_is_reported_with_its_place(tmp_path: Path) -> None:
    protocol, diagnostics = check_protocol(_write(tmp_path, "id: [unclosed\n"))
    assert protocol is None and diagnostics[0].code == "invalid_yaml"
    assert diagnostics[0].line == 2


def test_cli_list_check_test() -> None:
    listed = runner.invoke(app, ["sact", "protocol", "list"])
    assert listed.exit_code == 0 and "docetaxel-prednisolone-prostate" in listed.stdout
    checked = runner.invoke(app, ["sact", "protocol", "check", "ac-breast"])
    assert checked.exit_code == 0 and "ok - 2 drugs, 3 pre-treatment criteria" in checked.stdout
    tested = runner.invoke(app, ["sact", "protocol", "test", "carboplatin-pemetrexed-lung"])
    assert tested.exit_code == 0 and "2 passed, 0 failed" in tested.stdout


def test_cli_check_of_a_bad_file_exits_2_with_diagnostics(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sact", "protocol", "check",
                                 str(_write(tmp_path, "id: x\nstatus: live\n"))])
    assert result.exit_code == 2
    assert "bad.yaml:2:9: error[unknown_status] protocol.status" in result.stderr


def test_cli_dose_json_keys_of_the_issue() -> None:
    result = runner.invoke(app, [
        "sact", "dose", "carboplatin-pemetrexed-lung", "--height-cm", "175", "--weight-kg",
        "80", "--creatinine-umol-l", "90", "--age", "65", "--sex", "male", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # by hand: sqrt(175 x 80 / 3600) = 1.972; CrCl 1.23 x 75 x 80 / 90 = 82.0; 5 x 107 = 535
    assert data["bsa_m2"] == 1.97 and data["crcl_ml_min"] == 82.0
    drugs = {d["drug"]: d for d in data["drugs"]}
    assert set(drugs) == {"pemetrexed", "carboplatin", "dexamethasone"}
    assert drugs["carboplatin"]["calculated_mg"] == 535
    assert drugs["carboplatin"]["basis"] == "5 AUC"
    assert drugs["pemetrexed"]["calculated_mg"] == 986.01
    assert drugs["pemetrexed"]["banded_mg"] is None and drugs["pemetrexed"]["band_table"] is None
    assert {"drug", "basis", "calculated_mg", "banded_mg", "band_table"} <= set(drugs["pemetrexed"])


def test_cli_dose_banded_with_table_version() -> None:
    result = runner.invoke(app, ["sact", "dose", "paclitaxel-weekly-breast", "--height-cm",
                                 "170", "--weight-kg", "70", "--format", "json"])
    drug = json.loads(result.stdout)["drugs"][0]
    assert "crcl_ml_min" not in json.loads(result.stdout)
    assert (drug["calculated_mg"], drug["banded_mg"]) == (145.45, 144)
    assert drug["band_table"] == {"id": "nhse-6mg-ml-single-container", "version": "2"}
    text = runner.invoke(app, ["sact", "dose", "paclitaxel-weekly-breast", "--height-cm",
                               "170", "--weight-kg", "70", "--bsa-formula", "dubois"])
    assert "BSA 1.81 m2 (dubois)" in text.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--height-cm", "1.7", "--weight-kg", "70"], "height 1.7 cm is outside 50-250 cm"),
    (["--height-cm", "170", "--weight-kg", "70", "--bsa-formula", "x"], "unknown BSA formula"),
])
def test_cli_dose_bad_input_exits_1_naming_the_value(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["sact", "dose", "ac-breast", *args])
    assert result.exit_code == 1 and message in result.stderr


def test_cli_dose_needs_creatinine_for_carboplatin() -> None:
    result = runner.invoke(app, ["sact", "dose", "carboplatin-pemetrexed-lung",
                                 "--height-cm", "170", "--weight-kg", "70"])
    assert result.exit_code == 1 and "give creatinine, age, sex" in result.stderr
