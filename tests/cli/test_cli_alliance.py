"""`openmdt alliance create / add-trust / list`, `users create --alliance` and
`report pilot --alliance`: what a person types, with the errors they can make."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from openmdt.cli import app as cli


def _run(monkeypatch, url: str, *args: str):
    monkeypatch.setenv("OPENMDT_DATABASE_URL", url)
    return CliRunner().invoke(cli, list(args))


def test_an_alliance_from_the_command_line(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'openmdt.db'}"
    assert _run(monkeypatch, url, "db", "upgrade").exit_code == 0
    created = _run(monkeypatch, url, "alliance", "create", "north-east", "--label",
                   "North East Cancer Alliance", "--pack", "example-alliance-prostate")
    assert created.exit_code == 0, created.output
    assert "created alliance north-east" in created.output
    unknown = _run(monkeypatch, url, "alliance", "add-trust", "north-east", "--org", "Tyne")
    assert unknown.exit_code == 2 and "No organisation is named 'Tyne'" in unknown.output
    assert _run(monkeypatch, url, "users", "create", "--org", "Tyne Trust", "--email",
                "c@tyne.example", "--role", "coordinator").exit_code == 0
    added = _run(monkeypatch, url, "alliance", "add-trust", "north-east", "--org",
                 "Tyne Trust")
    assert added.exit_code == 0 and "now a member of North East" in added.output
    analyst = _run(monkeypatch, url, "users", "create", "--alliance", "north-east",
                   "--email", "a@ne.example", "--role", "alliance_analyst")
    assert analyst.exit_code == 0, analyst.output
    assert "in North East Cancer Alliance" in analyst.output
    both = _run(monkeypatch, url, "users", "create", "--alliance", "north-east", "--org",
                "Tyne Trust", "--email", "b@ne.example", "--role", "alliance_analyst")
    assert both.exit_code == 2 and "either --org" in both.output
    wrong = _run(monkeypatch, url, "users", "create", "--org", "Tyne Trust", "--email",
                 "x@tyne.example", "--role", "alliance_analyst")
    assert wrong.exit_code == 2 and "is not an alliance" in wrong.output
    listed = _run(monkeypatch, url, "alliance", "list")
    assert "north-east: North East Cancer Alliance; set example-alliance-prostate; Tyne " \
           "Trust" in listed.output
    report = _run(monkeypatch, url, "report", "pilot", "--alliance", "north-east", "-o",
                  str(tmp_path / "out"))
    assert report.exit_code == 0, report.output
    assert {"alliance.html", "alliance.pdf", "trusts.csv", "packs.csv"} <= {
        p.name for p in (tmp_path / "out").iterdir()}
    missing = _run(monkeypatch, url, "report", "pilot", "--alliance", "south", "-o",
                   str(tmp_path / "none"))
    assert missing.exit_code == 1
    assert "No alliance is named 'south'; alliances: north-east" in missing.output
    mixed = _run(monkeypatch, url, "report", "pilot", "--alliance", "north-east", "--org",
                 "Tyne Trust", "-o", str(tmp_path / "none"))
    assert mixed.exit_code == 1 and "leave out --historic and --org" in mixed.output
