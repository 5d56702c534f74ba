"""Compiled packs kept on disk, so that a command line run does not parse and compile a
pack's YAML again (about a second for the prostate pack) when nothing changed.

A cache file is named by the pack's content hash (`pack_digest` of its folder, and of each
base folder of an overlay, checked again on loading), the Python version (code objects are
version-specific), and a fingerprint of the source of the code that builds packs (so a change
to the compiler or the pack model is never served a stale pack). It holds the compiled pack
(expressions as their checked trees) and the
kernel code, and the recorded-only kernel code.

Settings: ``OPENMDT_PACK_CACHE`` names the folder (default ``$XDG_CACHE_HOME/openmdt/packs``,
else ``~/.cache/openmdt/packs``); ``OPENMDT_PACK_CACHE=off`` switches the cache off. A file
that cannot be read, does not unpickle, or does not match is ignored (and replaced): the pack
is compiled as if there were no cache. Cache files are pickles: the folder must be writable
only by the user who runs openmdt, as for the installed code itself.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
import tempfile
import types
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openmdt.knowledge.kernel import KernelCode, kernel_code, kernel_from_code
from openmdt.knowledge.model import Pack
from openmdt.knowledge.recorded import recorded_only_code, remember_recorded_code
from openmdt.knowledge.source_files import pack_digest

__all__ = ["CACHE_ENV", "OFF", "cache_folder", "load_cached", "store_cached"]

CACHE_ENV = "OPENMDT_PACK_CACHE"
OFF = frozenset({"off", "0", "false", "no"})
FORMAT = 1
# The code whose output a cache file holds: a change to any of these makes a new key.
_BUILDERS = ("knowledge", "language")


def cache_folder() -> Path | None:
    """The cache folder from the environment, or None when the cache is off."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in OFF:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openmdt" / "packs"


def _code_fingerprint() -> str:
    """Names, sizes and modification times of the modules that build packs."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{FORMAT}:{sys.version}".encode())
    for folder in _BUILDERS:
        for path in sorted((package / folder).glob("*.py")):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _file_for(folder: Path, root: Path) -> Path:
    key = hashlib.sha256(f"{root.resolve()}\0{pack_digest(root)}\0{_code_fingerprint()}"
                         .encode()).hexdigest()
    return folder / f"{root.name}-{key[:32]}.pickle"


@dataclass(frozen=True)
class _Entry:
    """What a cache file holds."""

    pack: Pack  # without its kernel
    kernel: bytes  # marshalled (fast, full) code
    recorded: bytes  # marshalled (fast, full) code of the recorded-only kernel
    bases: tuple[tuple[str, str], ...]  # (folder, pack_digest) of each base of an overlay


def load_cached(root: Path) -> Pack | None:
    """The compiled pack of the folder `root` from the cache, or None (off, missing, stale
    or unreadable: never an error)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        entry = pickle.loads(_file_for(folder, root).read_bytes())
        if not isinstance(entry, _Entry) or not _bases_unchanged(entry.bases):
            return None
        kernel = KernelCode(*marshal.loads(entry.kernel))
        recorded = KernelCode(*marshal.loads(entry.recorded))
        pack = replace(entry.pack, kernel=kernel_from_code(entry.pack, kernel))
    except Exception:  # noqa: BLE001 - a corrupt or foreign file is ignored, by design
        return None
    remember_recorded_code(pack, recorded)
    return pack


def store_cached(root: Path, pack: Pack, bases: tuple[Path, ...] = ()) -> None:
    """Keep the compiled pack in the cache (quietly nothing when off or not writable)."""
    folder = cache_folder()
    if folder is None:
        return
    code = pack.kernel.code if pack.kernel is not None and pack.kernel.code is not None \
        else kernel_code(pack)
    recorded = recorded_only_code(pack)
    entry = _Entry(replace(pack, kernel=None), marshal.dumps((code.fast, code.full)),
                   marshal.dumps((recorded.fast, recorded.full)),
                   tuple((str(b), pack_digest(b)) for b in bases))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(_file_for(folder, root), _dumps(entry))
    except OSError:
        return


def _bases_unchanged(bases: tuple[tuple[str, str], ...]) -> bool:
    return all(Path(folder).is_dir() and pack_digest(Path(folder)) == digest
               for folder, digest in bases)


def _proxy(mapping: dict[str, Any]) -> types.MappingProxyType:
    return types.MappingProxyType(mapping)


def _dumps(entry: _Entry) -> bytes:
    """Pickle with read-only mappings (MappingProxyType) written as their contents."""
    import copyreg
    import io

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[types.MappingProxyType] = lambda m: (_proxy, (dict(m),))
    pickler.dump(entry)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename it: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
