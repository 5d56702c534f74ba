"""Interop tests: the shipped prostate pack."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def prostate_pack():
    from openmdt.knowledge import load_pack

    return load_pack("prostate-nice-ng131")
