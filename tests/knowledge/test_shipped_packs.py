"""Every shipped pack loads, and each of its pack tests is one pytest case (run in CI)."""

from __future__ import annotations

from typing import Any

import pytest

from openmdt.knowledge import PackLoadError, load_pack, shipped_pack_ids
from openmdt.knowledge.testing import run_pack_test


def _pack_test_params() -> list[Any]:
    """One parameter per pack test; a pack that does not load is one failing parameter."""
    params = []
    for pack_id in shipped_pack_ids():
        try:
            pack = load_pack(pack_id)
        except PackLoadError as exc:
            params.append(pytest.param(pack_id, None, exc, id=f"{pack_id}::<load>"))
            continue
        for index, test in enumerate(pack.tests):
            params.append(pytest.param(pack_id, index, None, id=f"{pack_id}::{test.name}"))
    return params


@pytest.mark.parametrize(("pack_id", "index", "load_error"), _pack_test_params())
def test_shipped_pack_test(pack_id: str, index: int | None,
                           load_error: PackLoadError | None) -> None:
    if load_error is not None:
        pytest.fail("\n".join(d.format() for d in load_error.diagnostics), pytrace=False)
    pack = load_pack(pack_id)
    test = pack.tests[index]
    result = run_pack_test(pack, test)
    assert result.passed, f"{test.file}:{test.line} {test.name}: " + "; ".join(result.failures)


def test_packs_are_shipped() -> None:
    assert shipped_pack_ids(), "no pack is shipped with OpenMDT"


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_every_shipped_pack_has_tests(pack_id: str) -> None:
    try:
        pack = load_pack(pack_id)
    except PackLoadError:
        pytest.fail(f"{pack_id} does not load (see test_shipped_pack_test)", pytrace=False)
    assert pack.tests, f"shipped pack {pack_id} has no tests/*.yaml"
