"""Errors on HTML routes are pages; errors under /api/v1 stay problem details."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from openmdt.web.app import create_app


def test_unknown_page_is_an_html_404_and_unknown_api_route_a_problem(tmp_path: Path) -> None:
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'errors.db'}", secret_key="test"))
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    assert "content-security-policy" in page.headers
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "not_found"
