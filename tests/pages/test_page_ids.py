"""Page routes with an id beyond 64 bits answer 404, not 500."""

from __future__ import annotations

from page_helpers import Browser

HUGE = 2**63


def test_huge_ids_in_page_paths_are_not_found(chair: Browser) -> None:
    for url in (f"/meetings/{HUGE}", f"/cases/{HUGE}", f"/cases/{HUGE}/gp-letter.pdf",
                f"/cases/{HUGE}/outcome-form", f"/meetings/{HUGE}/summary.pdf"):
        assert chair.client.get(url).status_code == 404, url
    response = chair.post(f"/cases/{HUGE}/flag", {"note": "x"})
    assert response.status_code == 404
