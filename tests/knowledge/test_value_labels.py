"""Enum value labels: the words people read for a pack's codes (issue 13: "bcs" is shown as
"breast-conserving surgery", never as a raw code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_helpers import MINI, pack_from_mini

from openmdt.knowledge import PackLoadError, load_pack
from openmdt.knowledge.words import value_words

LABELS = "    value_labels: {A: stage A (early), C: stage C (advanced)}\n"


def _with_labels(tmp_path: Path, labels: str) -> Path:
    text = (MINI / "data.yaml").read_text(encoding="utf-8")
    marker = "    values: [A, B, C]\n"
    assert marker in text
    return pack_from_mini(tmp_path / "pack",
                          replace={"data.yaml": text.replace(marker, marker + labels)})


def test_a_labelled_code_is_shown_in_words_and_others_as_before(tmp_path: Path) -> None:
    pack = load_pack(_with_labels(tmp_path, LABELS))
    assert value_words(pack, "stage", "A") == "stage A (early)"
    assert value_words(pack, "stage", "B") == "B"
    assert pack.items["stage"].value_labels == {"A": "stage A (early)", "C": "stage C (advanced)"}


def test_a_label_for_a_value_the_item_does_not_have_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackLoadError) as error:
        load_pack(_with_labels(tmp_path, "    value_labels: {D: stage D}\n"))
    [diagnostic] = [d for d in error.value.diagnostics if d.code == "value_not_allowed"]
    assert diagnostic.path == "data.items.stage.value_labels.D" and "'D'" in diagnostic.message


def test_the_breast_pack_names_its_codes_in_words() -> None:
    pack = load_pack("breast-nice-ng101")
    assert value_words(pack, "surgery", "bcs") == "breast-conserving surgery"
    assert value_words(pack, "histology", "dcis") == "DCIS (in situ only)"
