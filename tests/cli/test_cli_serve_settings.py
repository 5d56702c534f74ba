"""`openmdt serve` refuses a setting that is not valid with its value and what is allowed,
before it starts listening (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from openmdt.cli import app as cli


def test_serve_refuses_a_cds_origin_that_is_not_an_origin(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENMDT_DATABASE_URL", f"sqlite:///{tmp_path / 'openmdt.db'}")
    monkeypatch.setenv("OPENMDT_CDS_ALLOWED_ORIGINS", "https://ehr.example.org, *")
    result = CliRunner().invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "OPENMDT_CDS_ALLOWED_ORIGINS: '*' is not an origin" in result.output
    assert "scheme://host[:port]" in result.output and "Traceback" not in result.output
