"""Overlays: a pack that names a base pack and adds to or changes it.

Merging happens on the located YAML, so problems in an overlay's own text are reported at
the overlay's file and line.
"""

from __future__ import annotations

from typing import Any

from openmdt.knowledge.source_files import RawPack
from openmdt.knowledge.yamlsource import LocatedDict, LocatedList


def _copy_dict(node: LocatedDict) -> LocatedDict:
    copy = LocatedDict(node.position)
    copy.update(node)
    copy.positions = dict(node.positions)
    return copy


def _copy_list(node: LocatedList, items: list[Any]) -> LocatedList:
    copy = LocatedList(node.position)
    copy.extend(items)
    copy.positions = [getattr(i, "position", node.position) for i in items]
    return copy


def _merge_mapping_section(base: Any, overlay: Any, section: str) -> Any:
    """Entries under ``section`` (e.g. data items) are added or replaced by name."""
    if not isinstance(overlay, LocatedDict):
        return base
    if not isinstance(base, LocatedDict):
        return overlay
    merged = _copy_dict(base)
    inner = _copy_dict(base.get(section) or LocatedDict(base.position))
    for name, value in (overlay.get(section) or {}).items():
        inner[name] = value
        inner.positions[name] = overlay[section].where(name)
    merged[section] = inner
    return merged


def _by_id(nodes: Any) -> dict[str, Any]:
    return {str(n.get("id")): n for n in (nodes or []) if isinstance(n, dict)}


def _merge_arguments(base: LocatedDict, overlay: LocatedDict) -> LocatedDict:
    merged = _copy_dict(base)
    removed = set(overlay.get("remove_arguments") or [])
    args = [a for a in (base.get("arguments") or []) if a.get("id") not in removed]
    extra = _by_id(overlay.get("arguments"))
    args = [extra.pop(str(a.get("id")), a) for a in args] + list(extra.values())
    merged["arguments"] = _copy_list(base.get("arguments") or LocatedList(base.position), args)
    for key in ("title", "description"):
        if key in overlay:
            merged[key] = overlay[key]
    return merged


def _merge_decision(base: LocatedDict, overlay: LocatedDict) -> LocatedDict:
    merged = _copy_dict(base)
    for key in ("title", "description", "applies_when", "recommend_threshold"):
        if key in overlay:
            merged[key] = overlay[key]
            merged.positions[key] = overlay.where(key)
    removed = set(overlay.get("remove_candidates") or [])
    candidates = [c for c in (base.get("candidates") or []) if c.get("id") not in removed]
    changes = _by_id(overlay.get("candidates"))
    result = []
    for cand in candidates:
        change = changes.pop(str(cand.get("id")), None)
        result.append(_merge_arguments(cand, change) if change is not None else cand)
    result.extend(changes.values())
    merged["candidates"] = _copy_list(base.get("candidates") or LocatedList(base.position), result)
    return merged


def _merge_decisions(base: list[Any], overlay: list[Any]) -> list[Any]:
    merged = {str(d.get("id")): d for d in base if isinstance(d, dict)}
    order = list(merged)
    for doc in overlay:
        if not isinstance(doc, LocatedDict):
            continue
        key = str(doc.get("id"))
        if key in merged:
            merged[key] = _merge_decision(merged[key], doc)
        else:
            merged[key] = doc
            order.append(key)
    return [merged[k] for k in order]


def _merge_rules(base: Any, overlay: LocatedDict, key: str) -> list[Any]:
    rules = _by_id(base.get(key) if isinstance(base, dict) else None)
    for rule in overlay.get(key) or []:
        if isinstance(rule, dict):
            rules[str(rule.get("id"))] = rule
    return list(rules.values())


def _merge_standards(base: Any, overlay: Any) -> Any:
    if not isinstance(overlay, LocatedDict):
        return base
    if not isinstance(base, LocatedDict):
        base = LocatedDict(overlay.position)
    merged = _copy_dict(base)
    standards = _merge_rules(base, overlay, "standards")
    disabled = set(overlay.get("disable") or [])
    enabled = set(overlay.get("enable") or [])
    switched = []
    for soc in standards:
        if soc.get("id") in disabled or soc.get("id") in enabled:
            soc = _copy_dict(soc)
            soc["enabled"] = soc.get("id") in enabled
        switched.append(soc)
    merged["standards"] = _copy_list(LocatedList(base.position), switched)
    for key in ("never_streamline", "conflicts"):
        merged[key] = _copy_list(LocatedList(base.position), _merge_rules(base, overlay, key))
    return merged


def merge_overlay(base: RawPack, overlay: RawPack) -> RawPack:
    """The combined raw pack: the base changed by the overlay; the overlay's tests only."""
    meta = _copy_dict(overlay.meta)
    params = dict(base.meta.get("parameters") or {})
    params.update(overlay.meta.get("parameters") or {})
    for key in ("site", "minutes_per_case", "recommend_threshold", "sources", "summary_line",
                "agenda_filters"):
        if key not in meta and key in base.meta:
            meta[key] = base.meta[key]
            meta.positions[key] = base.meta.where(key)
    if params:
        node = LocatedDict(overlay.meta.position)
        node.update(params)
        meta["parameters"] = node
    return RawPack(
        root=overlay.root, meta=meta,
        data=_merge_mapping_section(base.data, overlay.data, "items"),
        derive=_merge_mapping_section(base.derive, overlay.derive, "derived"),
        decisions=_merge_decisions(base.decisions, overlay.decisions),
        standards=_merge_standards(base.standards, overlay.standards),
        tests=overlay.tests,
        digest=f"{base.digest}+{overlay.digest}")
