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
            unknown_inputs(pack, pack.dependencies[name], env, found)
    return found
