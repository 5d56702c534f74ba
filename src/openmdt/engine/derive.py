"""Tracing unknown derived facts back to the missing data items that would settle them.

The derived facts themselves are computed by the pack kernel (openmdt.knowledge.kernel).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openmdt.knowledge.model import Pack
from openmdt.language import UNKNOWN


def unknown_inputs(pack: Pack, names: Iterable[str], env: dict[str, Any], found: set[str]
                   ) -> set[str]:
    """The unknown data items behind ``names``: follows unknown derived facts to their inputs.

    A derived fact whose value is known is not followed: its missing inputs cannot matter.
    An item filled by a derived fact (grade group from Gleason) is asked for as the item.
    """
    for name in names:
        if env.get(name, UNKNOWN) is not UNKNOWN or name in found:
            continue
        if name in pack.items:
            found.add(name)
        elif name in pack.dependencies:
            inputs = pack.dependencies[name]
            before = len(found)
            unknown_inputs(pack, inputs, env, found)
            if len(found) == before and not _has_unknown_input(pack, inputs, env):
                # Unknown although every input is recorded: the recorded values do not
                # settle it (NX where nodal staging is needed), so its own items are asked for.
                found.update(n for n in inputs if n in pack.items)
    return found


def _has_unknown_input(pack: Pack, names: Iterable[str], env: dict[str, Any]) -> bool:
    return any(env.get(n, UNKNOWN) is UNKNOWN for n in names if n in pack.items
               or n in pack.dependencies)
