"""Loading a pack: read its files, apply its base if it is an overlay, check and compile."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from openmdt.knowledge.diagnostics import Diagnostic, PackLoadError
from openmdt.knowledge.model import DerivedFact, Pack
from openmdt.knowledge.pack_cache import load_cached, store_cached
from openmdt.knowledge.source_files import (
    RawPack,
    read_raw_pack,
    resolve_pack_dir,
    shipped_pack_ids,
)

if TYPE_CHECKING:  # the compiler is imported only when a pack is compiled (not cached)
    from openmdt.knowledge.compiler import PackCompiler

_CACHE: dict[tuple[str, str], Pack] = {}
_LOADING = threading.RLock()  # many threads asking for a pack at once compile it once
MAX_OVERLAY_DEPTH = 5


def _not_found(ref: str) -> PackLoadError:
    known = ", ".join(shipped_pack_ids()) or "none"
    return PackLoadError(ref, [Diagnostic(str(ref), "", 1, 1, "pack_not_found",
                                          f"no pack folder or shipped pack named {ref!r}",
                                          f"shipped packs: {known}")])


def _read_with_bases(root: Path, problems: list[Diagnostic], depth: int = 0) -> RawPack | None:
    raw = read_raw_pack(root, problems)
    if raw is None:
        return None
    base_ref = raw.meta.get("base")
    if base_ref is None:
        return raw
    base_dir = resolve_pack_dir(str(base_ref), relative_to=root)
    pos = raw.meta.where("base")
    if base_dir is None or base_dir == root or depth >= MAX_OVERLAY_DEPTH:
        problems.append(Diagnostic(pos.file, "pack.base", pos.line, pos.column, "unknown_base",
                                   f"base pack {base_ref!r} cannot be used",
                                   f"shipped packs: {', '.join(shipped_pack_ids())}"))
        return None
    base = _read_with_bases(base_dir, problems, depth + 1)
    if base is None:
        return None
    from openmdt.knowledge.overlay import merge_overlay

    merged = merge_overlay(base, raw)
    merged.digest = hashlib.sha256(merged.digest.encode()).hexdigest()
    return merged


def _derived_order(compiler: PackCompiler, facts: list[DerivedFact]) -> list[DerivedFact]:
    """Derived facts in dependency order; a cycle is reported, naming the facts in it."""
    by_name = {f.name: f for f in facts}
    ordered: list[DerivedFact] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = trail[trail.index(name):] + [name]
            node = (compiler.raw.derive or {}).get("derived") or {}
            compiler.reporter.report(node, name, f"derive.derived.{name}", "derived_cycle",
                                     "derived facts depend on each other in a loop: "
                                     + " -> ".join(cycle))
            return
        state[name] = "active"
        for dep in sorted(_fact_names(by_name[name]) & by_name.keys()):
            if dep != name or not by_name[name].fills_item:
                visit(dep, trail + [name])
        state[name] = "done"
        ordered.append(by_name[name])

    for fact in facts:
        visit(fact.name, [])
    return ordered


def _fact_names(fact: DerivedFact) -> set[str]:
    names: set[str] = set()
    for expr in (fact.expression, fact.otherwise):
        if expr is not None:
            names |= expr.names
    for row in fact.rows:
        names |= row.condition.names
        if row.value is not None:
            names |= row.value.names
    return names


def _dependencies(facts: list[DerivedFact]) -> Mapping[str, frozenset[str]]:
    """For each derived fact, the names (items, facts) its value is computed from."""
    return {f.name: frozenset(_fact_names(f) - {f.name}) for f in facts}


def compile_raw(raw: RawPack) -> tuple[Pack | None, list[Diagnostic]]:
    """Check and compile a raw pack: the pack, or None and every diagnostic."""
    from openmdt.knowledge.compiler import PackCompiler, build_pack
    from openmdt.knowledge.conflicts import foreseeable_conflicts
    from openmdt.knowledge.kernel import compile_kernel

    compiler = PackCompiler(raw)
    meta = compiler.compile_meta()
    compiler.compile_items()
    compiler.compile_fhir()
    declared = compiler.declare_derived()
    derived = _derived_order(compiler, compiler.compile_derived(declared))
    compiler.compile_item_triage()
    decisions = compiler.compile_decisions(meta["threshold"])
    standards, never = compiler.compile_standards(decisions)
    tests = compiler.compile_tests()
    shown = (compiler.summary_line(derived), compiler.agenda_filters(derived))
    diagnostics = compiler.reporter.diagnostics
    if compiler.reporter.has_errors:
        return None, diagnostics
    base = raw.meta.get("base")
    pack = build_pack(compiler, meta, raw.digest, None if base is None else str(base), derived,
                      decisions, standards, never, tests, _dependencies(derived), shown)
    pack = replace(pack, kernel=compile_kernel(pack))
    return pack, diagnostics + foreseeable_conflicts(pack, compiler.candidate_places)


def check_pack(ref: str | Path) -> tuple[Pack | None, list[Diagnostic]]:
    """Load a pack and return it (or None) with every diagnostic, errors and warnings."""
    root = resolve_pack_dir(ref)
    if root is None:
        return None, _not_found(str(ref)).diagnostics
    problems: list[Diagnostic] = []
    raw = _read_with_bases(root, problems)
    if raw is None or any(p.severity == "error" for p in problems):
        return None, problems
    pack, diagnostics = compile_raw(raw)
    return pack, problems + diagnostics


def load_pack(ref: str | Path) -> Pack:
    """A compiled pack by shipped id or folder path; raises PackLoadError with all problems.

    Compiled packs are cached by folder and content, so loading twice costs one hash.
    """
    root = resolve_pack_dir(ref)
    if root is None:
        raise _not_found(str(ref))
    key = (str(root), _tree_digest(root))
    if key in _CACHE:
        return _CACHE[key]
    with _LOADING:
        if key in _CACHE:
            return _CACHE[key]
        pack = load_cached(root)
        if pack is None:
            pack, diagnostics = check_pack(root)
            if pack is None:
                raise PackLoadError(str(ref), diagnostics)
            store_cached(root, pack, _base_folders(root, pack))
        _CACHE[key] = pack
        return pack


def _base_folders(root: Path, pack: Pack) -> tuple[Path, ...]:
    """The folders of an overlay's bases, nearest first (their changes invalidate it)."""
    folders: list[Path] = []
    while pack.base is not None and len(folders) < MAX_OVERLAY_DEPTH:
        folder = resolve_pack_dir(pack.base, relative_to=root)
        if folder is None:
            break
        folders.append(folder)
        root, pack = folder, load_pack(folder)
    return tuple(folders)


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


def pack_for_site(site: str) -> Pack:
    """The default shipped pack for a tumour site (a base pack, not an overlay)."""
    for pack_id in shipped_pack_ids():
        pack = load_pack(pack_id)
        if pack.site == site and pack.base is None:
            return pack
    sites = sorted({load_pack(p).site or "" for p in shipped_pack_ids()} - {""})
    raise LookupError(f"no pack for site {site!r}; sites with a pack: {', '.join(sites)}")
