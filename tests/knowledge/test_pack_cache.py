"""The compiled-pack cache on disk: a hit gives the same evaluations as compiling; a changed
pack (or a changed base of an overlay) is compiled again; a corrupt file is ignored and
replaced; the off switch writes nothing. Every test uses its own temporary cache folder."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from openmdt.engine import evaluate
from openmdt.knowledge import load_pack, loader
from openmdt.knowledge.pack_cache import CACHE_ENV, cache_folder, load_cached
from openmdt.knowledge.source_files import SHIPPED_PACKS
from openmdt.synth import generate_prostate_list

AS_OF = date(2026, 11, 27)


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "pack-cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture()
def pack_copy(tmp_path: Path) -> Path:
    """A copy of the shipped prostate pack that a test may change."""
    return Path(shutil.copytree(SHIPPED_PACKS / "prostate-nice-ng131", tmp_path / "prostate"))


def _fresh(folder: Path):
    """Load as a new process would: nothing remembered in memory."""
    loader._CACHE.clear()
    return load_pack(folder)


def _evaluations(pack) -> list[str]:
    return [json.dumps(evaluate(pack, case, as_of=AS_OF).to_dict(), sort_keys=True)
            for case in generate_prostate_list(40, seed=3)]


def test_a_cached_pack_evaluates_exactly_as_a_compiled_one(cache: Path, pack_copy: Path) -> None:
    compiled = _fresh(pack_copy)
    assert len(list(cache.glob("*.pickle"))) == 1
    cached = load_cached(pack_copy)
    assert cached is not None and cached is not compiled
    assert (cached.id, cached.version, cached.hash) == (compiled.id, compiled.version,
                                                       compiled.hash)
    assert _evaluations(cached) == _evaluations(compiled)


def test_a_changed_pack_is_compiled_again(cache: Path, pack_copy: Path) -> None:
    before = _fresh(pack_copy)
    meta = pack_copy / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        f'version: "{before.version}"', 'version: "9.9.9-test"'), encoding="utf-8")
    assert load_cached(pack_copy) is None  # the old file no longer matches
    after = _fresh(pack_copy)
    assert after.version == "9.9.9-test" and after.hash != before.hash
    assert len(list(cache.glob("*.pickle"))) == 2


def test_a_changed_base_invalidates_its_overlay(cache: Path, tmp_path: Path) -> None:
    base = Path(shutil.copytree(SHIPPED_PACKS / "prostate-nice-ng131",
                                tmp_path / "prostate-nice-ng131"))
    overlay = Path(shutil.copytree(SHIPPED_PACKS / "example-alliance-prostate",
                                   tmp_path / "alliance"))
    meta = overlay / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "base: prostate-nice-ng131", f"base: {base}"), encoding="utf-8")
    first = _fresh(overlay)
    assert load_cached(overlay) is not None
    (base / "pack.yaml").write_text((base / "pack.yaml").read_text(encoding="utf-8")
                                    + "\n# changed\n", encoding="utf-8")
    assert load_cached(overlay) is None
    assert _fresh(overlay).hash != first.hash


def test_a_corrupt_cache_file_is_ignored_and_replaced(cache: Path, pack_copy: Path) -> None:
    expected = _evaluations(_fresh(pack_copy))
    (cache_file,) = cache.glob("*.pickle")
    for garbage in (b"", b"not a pickle", cache_file.read_bytes()[:1000],
                    b"\x80\x05\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01."):  # pickle of 1
        cache_file.write_bytes(garbage)
        assert load_cached(pack_copy) is None
        assert _evaluations(_fresh(pack_copy)) == expected
        assert load_cached(pack_copy) is not None  # written again


def test_the_off_switch_writes_nothing(tmp_path: Path, pack_copy: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    assert cache_folder() is None
    _fresh(pack_copy)
    assert load_cached(pack_copy) is None
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "openmdt" / "packs"


def test_a_cache_folder_that_cannot_be_written_is_not_an_error(
        tmp_path: Path, pack_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert _fresh(pack_copy).id == "prostate-nice-ng131"
