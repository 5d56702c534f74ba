"""A case record's fields: a fact written beside "facts" is refused, never read as missing."""

from __future__ import annotations

import pytest
from engine_helpers import AS_OF, LOW_FIT, mini

from openmdt.cases.errors import CaseError
from openmdt.engine import evaluate


def test_a_fact_beside_facts_is_refused_naming_it() -> None:
    with pytest.raises(CaseError) as raised:
        evaluate(mini(), {"case_id": "c1", "facts": {}, "score": 5}, as_of=AS_OF)
    assert raised.value.code == "unknown_field" and raised.value.path == "score"
    assert '"facts"' in raised.value.message


def test_every_field_of_a_case_record_is_accepted() -> None:
    case = {"case_id": "c1", "site": "", "patient": {"name": "A"}, "facts": dict(LOW_FIT),
            "pathway": {}, "columns": {}}
    assert evaluate(mini(), case, as_of=AS_OF).to_dict()["case_id"] == "c1"
