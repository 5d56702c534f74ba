"""Meeting-list readers: JSON, JSON arrays, JSONL and CSV, with line numbers and errors."""

from __future__ import annotations

import pytest
from engine_helpers import AS_OF, mini

from openmdt.cases import CaseInput, detect_format, read_cases
from openmdt.engine.batch import evaluate_records


def summary(records: list[CaseInput]) -> list[tuple[int, str | None, str | None]]:
    """(line, case_id, error code) for each record."""
    return [(r.line, r.case_id, r.error.code if r.error else None) for r in records]


# -- JSON -----------------------------------------------------------------------------------

def test_json_object_is_one_case() -> None:
    records = read_cases('{"case_id": "a", "facts": {"score": 5}}', "json", "one.json")
    assert summary(records) == [(1, "a", None)]
    assert records[0].data == {"case_id": "a", "facts": {"score": 5}}


def test_json_array_gives_each_case_its_position() -> None:
    text = '[{"case_id": "a"}, 3, {"case_id": "b"}, {"facts": {}}]'
    records = read_cases(text, "json", "list.json")
    assert summary(records) == [(1, "a", None), (2, None, "wrong_shape"), (3, "b", None),
                                (4, None, "missing_case_id")]
    assert records[1].error.path == "$[1]"
    assert records[3].error.path == "$[3].case_id"


def test_numeric_case_id_becomes_text() -> None:
    assert read_cases('{"case_id": 17}', "json")[0].case_id == "17"


def test_malformed_json_document_names_its_line() -> None:
    text = '{"case_id": "a",\n "facts": {\n   "score": }}'
    records = read_cases(text, "json", "bad.json")
    assert summary(records) == [(3, None, "invalid_json")]
    assert records[0].error.message.startswith("bad.json:3: invalid JSON")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_outside_the_standard_are_refused(constant: str) -> None:
    records = read_cases(f'{{"case_id": "a", "facts": {{"score": {constant}}}}}', "json")
    assert summary(records) == [(1, None, "invalid_json")]


# -- JSONL ----------------------------------------------------------------------------------

JSONL = """{"case_id": "a", "facts": {"score": 5}}
{"case_id": "b", "facts": {"score": 5}

{"case_id": "c", "facts": {"score": NaN}}
[1, 2]
{"case_id": "d", "facts": {}}
"""


def test_jsonl_malformed_line_is_reported_at_its_line_and_others_are_read() -> None:
    records = read_cases(JSONL, "jsonl", "list.jsonl")
    assert summary(records) == [(1, "a", None), (2, None, "invalid_json"),
                                (4, None, "invalid_json"), (5, None, "wrong_shape"),
                                (6, "d", None)]
    assert records[1].error.line == 2
    assert records[1].error.message.startswith("list.jsonl:2: invalid JSON")
    assert records[1].error.path == "$"


def test_jsonl_cases_after_a_bad_line_are_still_evaluated() -> None:
    outcomes = list(evaluate_records(read_cases(JSONL, "jsonl"), mini(), AS_OF))
    evaluated = [o.evaluation.case_id for o in outcomes if o.evaluation is not None]
    assert evaluated == ["a", "d"]
    assert [o.to_dict()["line"] for o in outcomes if o.evaluation is None] == [2, 4, 5]


def test_fact_errors_carry_the_input_line() -> None:
    text = '{"case_id": "a", "facts": {}}\n{"case_id": "b", "facts": {"score": "sixty"}}\n'
    outcomes = list(evaluate_records(read_cases(text, "jsonl"), mini(), AS_OF))
    bad = outcomes[1].to_dict()
    assert (bad["case_id"], bad["line"]) == ("b", 2)
    assert (bad["error"]["code"], bad["error"]["path"]) == ("wrong_type", "facts.score")


def test_duplicate_case_id_is_an_error_on_the_later_line() -> None:
    text = '{"case_id": "a"}\n{"case_id": "b"}\n{"case_id": "a"}\n'
    records = read_cases(text, "jsonl")
    assert summary(records) == [(1, "a", None), (2, "b", None), (3, "a", "duplicate_case_id")]
    assert "line 1" in records[2].error.message


# -- CSV ------------------------------------------------------------------------------------

CSV = ('case_id,score,stage,fit\n'
       '1,5,A,yes\n'
       '\n'
       '2,,"B",\n'
       '3,"1,5",A,no\n'
       '4,5\n'
       '5,5,A,no,extra\n'
       '   ,  ,  ,  \n'
       '1,7,C,yes\n'
       ',7,C,yes\n')


def test_csv_rows_become_cases_with_their_lines() -> None:
    records = read_cases(CSV, "csv", "list.csv")
    assert summary(records) == [(2, "1", None), (4, "2", None), (5, "3", None),
                                (6, "4", "invalid_csv"), (7, "5", "invalid_csv"),
                                (9, "1", "duplicate_case_id"), (10, None, "missing_case_id")]


def test_csv_empty_cells_are_unknown_and_quoted_commas_stay_in_the_cell() -> None:
    records = read_cases(CSV, "csv", "list.csv")
    assert records[0].data == {"case_id": "1", "facts": {"score": "5", "stage": "A",
                                                         "fit": "yes"}}
    assert records[1].data == {"case_id": "2", "facts": {"stage": "B"}}
    assert records[2].data["facts"]["score"] == "1,5"


def test_csv_ragged_row_says_how_many_cells() -> None:
    error = read_cases(CSV, "csv", "list.csv")[3].error
    assert error.message == "list.csv:6: the row has 2 cells, the header has 4"
    assert error.line == 6


def test_csv_without_case_id_column_is_one_error() -> None:
    records = read_cases("score,stage\n5,A\n6,B\n", "csv", "x.csv")
    assert summary(records) == [(1, None, "missing_case_id")]
    assert "score, stage" in records[0].error.message


def test_csv_with_byte_order_mark_keeps_its_case_id_column() -> None:
    records = read_cases("\ufeffcase_id,score\r\nA1,5\r\n", "csv", "excel.csv")
    assert summary(records) == [(2, "A1", None)]
    assert records[0].data["facts"] == {"score": "5"}


def test_csv_reserved_columns_fill_site_and_patient() -> None:
    text = "case_id,site,nhs_number,patient_name,score\n 7 ,testsite,9990000018,Ann Test,5\n"
    case = read_cases(text, "csv")[0].data
    assert case == {"case_id": "7", "site": "testsite",
                    "patient": {"nhs_number": "9990000018", "name": "Ann Test"},
                    "facts": {"score": "5"}}


def test_csv_cell_over_two_lines_keeps_the_row_start_line() -> None:
    text = 'case_id,note\n1,"first\nsecond"\n2,x\n'
    records = read_cases(text, "csv")
    assert summary(records) == [(2, "1", None), (4, "2", None)]
    assert records[0].data["facts"]["note"] == "first\nsecond"


def test_csv_cases_are_evaluated_with_text_values_converted() -> None:
    outcomes = list(evaluate_records(read_cases(CSV, "csv"), mini(), AS_OF))
    first = outcomes[0].evaluation
    assert first is not None and first.derived["group"] is None  # grade is missing
    third = outcomes[2].to_dict()
    assert third["error"]["code"] == "wrong_type" and third["line"] == 5


def test_empty_inputs_give_no_cases() -> None:
    assert read_cases("", "csv") == []
    assert read_cases("\n\n", "jsonl") == []


@pytest.mark.parametrize(("text", "name", "fmt"), [
    ("x", "list.CSV", "csv"), ("x", "cases.jsonl", "jsonl"), ("x", "a.ndjson", "jsonl"),
    ("x", "case.json", "json"), ('[{"case_id": 1}]', "", "json"),
    ('{"case_id": 1}\n', "", "json"), ('{"case_id": 1}\n{"case_id": 2}\n', "", "jsonl"),
    ('{\n  "case_id": 1\n}\n', "", "json"), ("case_id,score\n", "", "csv"),
])
def test_format_is_detected_from_name_then_content(text: str, name: str, fmt: str) -> None:
    assert detect_format(text, name) == fmt
