"""CSV lists against the pack's columns: the template, case-insensitive column names, and ONE
message per misspelled column (not one per row), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from api_helpers import new_meeting, synthetic_list

from openmdt.cases.columns import LIST_COLUMNS, list_template
from openmdt.cases.readers import RESERVED_COLUMNS
from openmdt.knowledge import load_pack
from openmdt.synth import write_csv

PACK = "prostate-nice-ng131"


def _csv(n: int = 20) -> str:
    stream = io.StringIO()
    write_csv(synthetic_list(n), stream)
    return stream.getvalue()


def _rename(text: str, renames: dict[str, str]) -> str:
    header, rest = text.split("\n", 1)
    cells = [renames.get(cell, cell) for cell in header.split(",")]
    return ",".join(cells) + "\n" + rest


def _post_csv(client, tenants, meeting_id: int, text: str):
    headers = {**tenants.headers("coordinator"), "Content-Type": "text/csv"}
    return client.post(f"/api/v1/meetings/{meeting_id}/cases", content=text, headers=headers)


def test_a_misspelled_column_is_one_problem_with_did_you_mean(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    answer = _post_csv(client, tenants, meeting_id,
                       _rename(_csv(20), {"gleason_primary": "Gleason_primry"}))
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["code"] == "unknown_column" and errors[0]["line"] == 1
    assert "'Gleason_primry'" in errors[0]["message"]
    assert "did you mean 'gleason_primary'?" in errors[0]["message"]
    agenda = client.get(f"/api/v1/meetings/{meeting_id}/agenda",
                        headers=tenants.headers("coordinator")).json()
    assert agenda["counts"]["total"] == 0  # nothing written


def test_column_names_match_ignoring_case_and_surrounding_spaces(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    text = _rename(_csv(5), {"psa": " PSA ", "case_id": "Case_ID", "t_stage": "T_Stage"})
    answer = _post_csv(client, tenants, meeting_id, text)
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["case_ids"][0]
    facts = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert "psa" in facts["facts"] and "t_stage" in facts["facts"]


def test_two_columns_that_are_one_name_stay_a_duplicate_column(client, tenants) -> None:
    meeting_id = new_meeting(client, tenants)
    text = _rename(_csv(3), {"psa": "PSA", "age": "psa "})
    errors = _post_csv(client, tenants, meeting_id, text).json()["errors"]
    assert [e["code"] for e in errors] == ["duplicate_column"]


def test_the_template_names_every_column_with_labels_and_imports_when_filled(
        client, tenants) -> None:
    pack = load_pack(PACK)
    rows = list(csv.reader(io.StringIO(list_template(pack.items))))
    assert rows[0] == [*LIST_COLUMNS, *pack.items]
    assert set(LIST_COLUMNS) == RESERVED_COLUMNS
    assert rows[1][0].startswith("#") and rows[2][0].startswith("#")
    assert rows[1][rows[0].index("psa")] == pack.items["psa"].label
    assert "ng/mL" in rows[2][rows[0].index("psa")]
    filled = dict.fromkeys(rows[0], "")
    filled.update(case_id="T-1", patient_name="SYNTHETIC Template Filled", psa="7.5",
                  age="70", pathway_point="new_diagnosis")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in (*rows, [filled[name] for name in rows[0]]):
        writer.writerow(row)
    meeting_id = new_meeting(client, tenants)
    answer = _post_csv(client, tenants, meeting_id, out.getvalue())
    assert answer.status_code == 201, answer.text
    assert answer.json()["imported"] == 1  # the two comment rows are skipped
