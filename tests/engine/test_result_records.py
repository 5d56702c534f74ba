"""The typed result records read back exactly what the engine writes, and name what is wrong."""

from __future__ import annotations

import json
from datetime import date

import pytest

from openmdt.cases.errors import CaseError
from openmdt.engine import evaluate
from openmdt.engine.result import EvaluationRecord, ResultShapeError
from openmdt.knowledge import load_pack, shipped_pack_ids


def _outputs(detail: str) -> list[dict]:
    outputs = []
    for pack_id in shipped_pack_ids():
        pack = load_pack(pack_id)
        for test in pack.tests:
            try:
                evaluation = evaluate(pack, dict(test.case), as_of=date(2026, 1, 1))
            except CaseError:
                continue
            outputs.append(json.loads(evaluation.to_json(detail)))
    return outputs


@pytest.mark.parametrize("detail", ["full", "summary"])
def test_every_pack_test_output_reads_back_key_for_key(detail: str) -> None:
    outputs = _outputs(detail)
    assert len(outputs) > 100
    for output in outputs:
        record = EvaluationRecord.read(output)
        assert not record.extra, f"keys the record does not know: {sorted(record.extra)}"
        assert record.to_dict() == output


def test_the_record_answers_in_the_engines_terms() -> None:
    pack = load_pack("prostate-nice-ng131")
    output = json.loads(evaluate(pack, {"case_id": "r1", "facts": {"age": 70, "psa": 12}},
                                 as_of=date(2026, 1, 1)).to_json())
    record = EvaluationRecord.read(output)
    assert record.route == output["triage"]["route"]
    assert record.pack.id == "prostate-nice-ng131"
    first = output["decisions"][0]
    decision = record.decision(first["id"])
    assert decision is not None and decision.status == first["status"]
    option = decision.options[0]
    assert option.held_ids() == tuple(a["id"] for a in first["candidates"][0]["arguments"]
                                      if a["holds"] is True)


@pytest.mark.parametrize(("change", "path"), [
    (lambda o: o["triage"].update(route="discuss"), "$.triage.route"),
    (lambda o: o["decisions"][0].update(status="maybe"), "$.decisions[0].status"),
    (lambda o: o["decisions"][0]["candidates"][0]["arguments"][0].update(holds="yes"),
     "$.decisions[0].candidates[0].arguments[0].holds"),
    (lambda o: o.pop("derived"), "$.derived"),
])
def test_a_record_of_the_wrong_shape_names_the_path(change, path) -> None:
    pack = load_pack("prostate-nice-ng131")
    output = json.loads(evaluate(pack, {"case_id": "r1", "facts": {"age": 70, "psa": 12}},
                                 as_of=date(2026, 1, 1)).to_json())
    change(output)
    with pytest.raises(ResultShapeError) as raised:
        EvaluationRecord.read(output)
    assert raised.value.path == path
