"""Code lists the meeting record uses: COSD items, and two small local lists marked as such.

COSD codes are from the COSD v10 user guide (see shared notes, standards-and-interop.md s.2):
CR3190 MDT meeting type, CR0460 care plan intent, CR0470 planned treatment type, CR8110 MDT
meeting discussion type. Only codes confirmed in those notes are listed.
"""

from __future__ import annotations

from openmdt.knowledge.cosd import CARE_PLAN_INTENTS, PLANNED_TREATMENT_TYPES

__all__ = ["CARE_PLAN_INTENTS", "PLANNED_TREATMENT_TYPES", "DISCUSSION_TYPES", "MDT_TYPES",
           "DEVIATION_REASONS", "PROFESSIONAL_ROLES"]

# COSD CR3190 MDT Meeting Type (urology group; the notes confirm these five).
MDT_TYPES: dict[str, str] = {
    "1200": "Urology",
    "1201": "Urology Local MDT",
    "1202": "Urology Specialist MDT",
    "1203": "Testicular supranetwork MDT",
    "1204": "Penile supranetwork MDT",
}

# COSD CR0460 and CR0470 live in openmdt.knowledge.cosd (packs name them too).

# COSD CR8110 MDT Meeting Discussion Type. OpenMDT records "1" for a case discussed at this
# trust's meeting and "2" for a case confirmed on a predefined Standard of Care.
DISCUSSION_TYPES: dict[str, str] = {
    "1": "Discussed within Trust MDT meeting",
    "2": "Patient on predefined Standard of Care",
    "3": "Discussed at MDT meeting at another Trust",
}
DISCUSSED_AT_TRUST_MDT = "1"
ON_STANDARD_OF_CARE = "2"

# LOCAL list (OpenMDT's own, not a national standard): why the MDT chose an option the
# guideline did not recommend. Free text is always required beside the code.
DEVIATION_REASONS: dict[str, str] = {
    "patient_choice": "Patient's informed preference",
    "comorbidity": "Comorbidity or frailty the guideline does not account for",
    "performance_status": "Performance status",
    "clinical_trial": "Clinical trial entry or eligibility",
    "new_information": "New clinical information presented at the meeting",
    "guideline_not_applicable": "Guideline does not fit this patient's situation",
    "service_availability": "Treatment not available locally or in time",
    "other": "Other (explain in the free text)",
}

# LOCAL list of professional roles used in attendance records.
PROFESSIONAL_ROLES: dict[str, str] = {
    "urologist": "Consultant urologist",
    "clinical_oncologist": "Clinical oncologist",
    "medical_oncologist": "Medical oncologist",
    "radiologist": "Radiologist",
    "histopathologist": "Histopathologist",
    "cancer_nurse_specialist": "Clinical nurse specialist",
    "mdt_coordinator": "MDT coordinator",
    "palliative_care": "Palliative care specialist",
    "other": "Other",
}

# Which roles a quorate meeting needs is local policy: see openmdt.meetings.quoracy.
