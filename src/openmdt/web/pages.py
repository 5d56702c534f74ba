"""The server-rendered pages of the MDT meeting workflow, as one router for the app factory.

The pages are split by subject: sign-in (`pages_auth`), meetings and agenda
(`pages_meetings`), the print and chair views (`pages_meeting_views`), cases
(`pages_cases`), printable documents (`pages_documents`) and chemotherapy prescribing
(`pages_sact`).
"""

from __future__ import annotations

from fastapi import APIRouter

from openmdt.web import (
    pages_alliance,
    pages_audit,
    pages_auth,
    pages_cases,
    pages_documents,
    pages_listing,
    pages_meeting_views,
    pages_meetings,
    pages_reports,
    pages_sact,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(pages_auth.router)
router.include_router(pages_meetings.router)
router.include_router(pages_meeting_views.router)
router.include_router(pages_listing.router)
router.include_router(pages_documents.router)
router.include_router(pages_cases.router)
router.include_router(pages_sact.router)
router.include_router(pages_audit.router)
router.include_router(pages_reports.router)
router.include_router(pages_alliance.router)
