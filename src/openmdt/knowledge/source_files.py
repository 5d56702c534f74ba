"""Finding a pack's folder and reading its YAML files into one raw, located structure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openmdt.knowledge.diagnostics import Diagnostic

if TYPE_CHECKING:  # reading YAML is imported only when a pack is read (not from the cache)
    from openmdt.knowledge.yamlsource import LocatedDict

SHIPPED_PACKS = Path(__file__).resolve().parent.parent / "packs"


@dataclass
class RawPack:
    """A pack's YAML as read, before checking: one located document per file."""

    root: Path
    meta: LocatedDict
    data: Any = None
    derive: Any = None
    decisions: list[Any] = field(default_factory=list)
    standards: Any = None
    tests: list[Any] = field(default_factory=list)
    digest: str = ""


def shipped_pack_ids() -> list[str]:
    """Ids of the packs shipped with OpenMDT, sorted."""
    if not SHIPPED_PACKS.is_dir():
        return []
    return sorted(p.name for p in SHIPPED_PACKS.iterdir() if (p / "pack.yaml").is_file())


def resolve_pack_dir(ref: str | Path, relative_to: Path | None = None) -> Path | None:
    """The folder of a pack given as a path or as a shipped pack id; None if there is none."""
    candidates = [Path(ref)]
    if relative_to is not None:
        # an overlay names its base relative to its own folder ("../base") or as a sibling
        candidates[:0] = [relative_to / str(ref), relative_to.parent / str(ref)]
    candidates.append(SHIPPED_PACKS / str(ref))
    for candidate in candidates:
        if (candidate / "pack.yaml").is_file():
            return candidate.resolve()
    return None


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(root: Path, path: Path, problems: list[Diagnostic]) -> Any:
    from openmdt.knowledge.yamlsource import YamlProblem, load_located

    try:
        return load_located(path, _display(root, path))
    except YamlProblem as exc:
        pos = exc.position
        problems.append(Diagnostic(pos.file, "", pos.line, pos.column, "invalid_yaml", exc.message))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Diagnostic(_display(root, path), "", 1, 1, "unreadable_file", str(exc)))
    return None


def pack_digest(root: Path) -> str:
    """sha256 over every YAML file of the pack (relative path and bytes), in path order."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def read_raw_pack(root: Path, problems: list[Diagnostic]) -> RawPack | None:
    """Read every file of the pack at ``root``; YAML problems are appended to ``problems``."""
    from openmdt.knowledge.yamlsource import LocatedDict, Position

    meta = _read(root, root / "pack.yaml", problems)
    if not isinstance(meta, LocatedDict):
        if meta is not None:
            pos = getattr(meta, "position", Position(str(root / "pack.yaml"), 1, 1))
            problems.append(Diagnostic(pos.file, "", pos.line, pos.column, "wrong_shape",
                                       "pack.yaml must be a mapping"))
        return None
    raw = RawPack(root=root, meta=meta, digest=pack_digest(root))
    for name in ("data", "derive", "standards"):
        path = root / f"{name}.yaml"
        if path.is_file():
            setattr(raw, name, _read(root, path, problems))
    raw.decisions = [_read(root, p, problems) for p in sorted((root / "decisions").glob("*.yaml"))]
    raw.tests = [_read(root, p, problems) for p in sorted((root / "tests").glob("*.yaml"))]
    return raw

