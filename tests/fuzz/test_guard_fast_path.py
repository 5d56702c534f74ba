"""The readers skip the value-by-value check of a case whose source text is clean; that
shortcut must never let through anything the full check refuses."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from openmdt.cases import read_cases
from openmdt.cases.errors import CaseError
from openmdt.cases.guard import check_case_data, source_is_clean

TRICKY = "0123456789_.eE+-\\\x00\t\n\x7f\x85\u0661\uff11\ud800\udfffa{["
NUMBER_LIKE = st.from_regex(r"[+-]?[0-9\u0661\uff11]{1,3}(_[0-9]{1,2})?(\.[0-9_]{0,2})?",
                            fullmatch=True)
TEXT = (st.text(alphabet=st.sampled_from(TRICKY), max_size=12) | NUMBER_LIKE
        | st.text(alphabet=st.characters(exclude_categories=()), max_size=40))
VALUE = st.recursive(
    st.one_of(TEXT, st.integers(min_value=-(10**40), max_value=10**40),
              st.floats(allow_nan=False, allow_infinity=False), st.booleans()),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children,
                                                                        max_size=3),
    max_leaves=12)
CASE = st.fixed_dictionaries({"case_id": TEXT, "facts": st.dictionaries(TEXT, VALUE,
                                                                        max_size=6)})


@settings(max_examples=400, derandomize=True)
@given(CASE, st.booleans())
def test_a_clean_source_always_passes_the_full_check(case, ascii_only) -> None:
    line = json.dumps(case, ensure_ascii=ascii_only)
    records = read_cases(line, "jsonl")
    if not source_is_clean(line) or records[0].data is None:
        return
    try:
        check_case_data(records[0].data)
    except CaseError as error:
        raise AssertionError(f"the shortcut let through {error.code}: {line!r}") from error


@settings(max_examples=200, derandomize=True)
@given(st.lists(TEXT, min_size=2, max_size=4))
def test_csv_rows_get_the_same_answer_as_the_full_check(cells) -> None:
    header = ",".join(f"c{n}" for n in range(len(cells)))
    row = ",".join(json.dumps(cell, ensure_ascii=False) for cell in cells)
    text = f"case_id,{header}\nX1,{row}\n"
    records = read_cases(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
                         "csv")
    for record in records:
        if record.data is not None:
            check_case_data(record.data)  # accepted records pass the full check
