"""The server-rendered pages of the MDT meeting workflow, as one router for the app factory.

The pages are split by subject: sign-in (`pages_auth`), meetings and agenda
(`pages_meetings`), cases (`pages_cases`) and printable documents (`pages_documents`).
"""

from __future__ import annotations

from fastapi import APIRouter

from openmdt.web import pages_auth, pages_cases, pages_documents, pages_meetings, pages_reports

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(pages_auth.router)
router.include_router(pages_meetings.router)
router.include_router(pages_documents.router)
router.include_router(pages_cases.router)
router.include_router(pages_reports.router)
