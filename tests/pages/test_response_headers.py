"""Headers of responses with patient data: never cached, and safe download names."""

from __future__ import annotations

from urllib.parse import unquote

from page_helpers import Browser, create_meeting

from openmdt.web.pages_documents import content_disposition


def test_pages_pdfs_and_api_answers_are_never_cached(chair: Browser) -> None:
    meeting_id = create_meeting(chair)
    for url in ("/meetings", f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/summary.pdf",
                "/api/v1/meetings", f"/api/v1/meetings/{meeting_id}/agenda",
                "/api/v1/meetings/999999", "/login"):
        response = chair.client.get(url)
        assert response.headers.get("cache-control") == "no-store", url


def test_static_files_may_be_cached(chair: Browser) -> None:
    response = chair.client.get("/static/openmdt.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_a_download_name_from_any_case_reference_is_a_safe_header() -> None:
    for case_ref in ("Zoë-ü 1", 'A"B', "X\r\nSet-Cookie: y=1", "病例", ""):
        header = content_disposition(f"gp-letter-{case_ref}.pdf")
        header.encode("latin-1")  # an HTTP header value must be latin-1 (ASCII here)
        assert "\r" not in header and "\n" not in header
        fallback = header.split('filename="', 1)[1].split('"', 1)[0]
        assert fallback.isascii() and '"' not in fallback
        assert unquote(header.split("filename*=UTF-8''", 1)[1]) == f"gp-letter-{case_ref}.pdf"
