"""Forms refuse text that is not valid Unicode or holds control characters (422 page, field
named), and the pages keep opening."""

from __future__ import annotations

from page_helpers import Browser, create_meeting, import_list


def test_a_nul_in_a_form_field_is_a_422_naming_it(chair: Browser) -> None:
    response = chair.post("/meetings", {"meeting_date": "2026-11-27", "mdt_type": "1201",
                                        "site_code": "RXX01", "pack_id": "prostate-nice-ng131",
                                        "title": "MDT\x00"})
    assert response.status_code == 422
    assert "title" in response.text and "control character" in response.text


def test_a_list_with_a_control_character_is_refused_and_the_agenda_still_opens(
        coordinator: Browser) -> None:
    meeting_id = create_meeting(coordinator)
    text = "case_id,site,patient_name,psa,age\nP1,prostate,Ann\x1bLee,6.2,70\n"
    response = import_list(coordinator, meeting_id, text)
    assert response.status_code in (303, 422)
    page = coordinator.client.get(f"/meetings/{meeting_id}")
    assert page.status_code == 200 and "P1" not in page.text


def test_users_create_refuses_a_control_character(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from openmdt.cli.server import users_app
    from openmdt.store.database import upgrade_database

    url = f"sqlite:///{tmp_path / 'users.db'}"
    upgrade_database(url)
    monkeypatch.setenv("OPENMDT_DATABASE_URL", url)
    result = CliRunner().invoke(users_app, ["create", "--org", "Trust\x07", "--email",
                                            "a@example.nhs.uk", "--role", "chair"])
    assert result.exit_code == 2
    assert "organisation" in result.output and "control character" in result.output
