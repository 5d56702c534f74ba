"""`--detail summary`: the same results as the full output, without texts or sources."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from openmdt.engine import evaluate
from openmdt.knowledge import Pack, load_pack
from openmdt.synth import generate_prostate_list

AS_OF = date(2026, 11, 27)
OPENMDT = str(Path(sys.executable).parent / "openmdt")
CASE_KEYS = ["case_id", "pack", "as_of", "assumed", "conflicts", "derived", "decisions",
             "triage"]


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("prostate-nice-ng131")


def test_summary_keeps_every_result_of_the_full_output(pack: Pack) -> None:
    for case in generate_prostate_list(400, seed=41):
        ev = evaluate(pack, case, as_of=AS_OF)
        summary, full = ev.to_dict("summary"), ev.to_dict()
        assert list(summary) == CASE_KEYS == list(full)
        for key in ("case_id", "pack", "as_of", "assumed", "conflicts", "derived", "triage"):
            assert summary[key] == full[key], key
        for short, long in zip(summary["decisions"], full["decisions"], strict=True):
            assert {k: short[k] for k in ("id", "status", "recommended", "missing")} == {
                k: long[k] for k in ("id", "status", "recommended", "missing")}
            if long["status"] == "not_applicable":
                assert short["candidates"] == []
                continue
            for cand_s, cand_l in zip(short["candidates"], long["candidates"], strict=True):
                assert cand_s == {"id": cand_l["id"], "net_support": cand_l["net_support"],
                                  "recommended": cand_l["recommended"],
                                  "held": [a["id"] for a in cand_l["arguments"]
                                           if a["holds"] is True]}
        assert ev.to_json("summary") == json.dumps(summary, ensure_ascii=False,
                                                   separators=(",", ":"))


def test_summary_has_no_texts_and_is_much_smaller(pack: Pack) -> None:
    case = generate_prostate_list(1, seed=42)[0]
    ev = evaluate(pack, case, as_of=AS_OF)
    text = ev.to_json("summary")
    assert '"text"' not in text and '"source"' not in text and '"title"' not in text
    assert len(text) * 5 < len(ev.to_json())


def test_cli_detail_summary_serial_and_parallel_agree(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in generate_prostate_list(300, seed=43))
                    + "\n{broken\n", encoding="utf-8")
    runs = [subprocess.run([OPENMDT, "evaluate", str(path), "--as-of", "2026-11-27",
                            "--detail", "summary", "--jobs", jobs],
                           capture_output=True, text=True, check=False) for jobs in ("1", "2")]
    assert [r.returncode for r in runs] == [1, 1]  # the broken line is rejected, others go on
    assert runs[0].stdout == runs[1].stdout
    lines = runs[0].stdout.splitlines()
    assert len(lines) == 301
    assert json.loads(lines[-1])["error"]["code"] == "invalid_json"
    assert json.loads(lines[0])["decisions"][0].keys() == {"id", "status", "recommended",
                                                           "missing", "candidates"}


def test_pack_show_json_gives_the_texts_summary_ids_point_to(pack: Pack) -> None:
    shown = subprocess.run([OPENMDT, "pack", "show", "prostate-nice-ng131", "--format", "json"],
                           capture_output=True, text=True, check=True)
    described = json.loads(shown.stdout)
    arguments = {a["id"]: a for d in described["decisions"] for c in d["candidates"]
                 for a in c["arguments"]}
    case = generate_prostate_list(1, seed=44)[0]
    summary = evaluate(pack, case, as_of=AS_OF).to_dict("summary")
    held = [h for d in summary["decisions"] for c in d["candidates"] for h in c["held"]]
    assert held and all(arguments[h]["text"] and arguments[h]["source"] for h in held)
    assert {c["id"] for c in described["conflicts"]} >= {"grade_group_vs_gleason"}
