"""The external fixtures are the ones written by others, unchanged (hashes from MANIFEST.csv)."""

from __future__ import annotations

import csv
import hashlib

from fhir_builders import EXTERNAL


def test_every_external_fixture_matches_its_manifest_hash() -> None:
    with (EXTERNAL / "MANIFEST.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 200
    for row in rows:
        data = (EXTERNAL / row["file"]).read_bytes()
        assert len(data) == int(row["bytes"]), row["file"]
        assert hashlib.sha256(data).hexdigest() == row["sha256"], row["file"]
