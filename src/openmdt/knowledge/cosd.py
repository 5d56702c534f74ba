"""COSD code lists a knowledge pack may name (COSD v10 user guide, shared notes
standards-and-interop.md s.2.3): a Standard of Care declares the care plan it records."""

from __future__ import annotations

# COSD CR0460 Cancer Care Plan Intent.
CARE_PLAN_INTENTS: dict[str, str] = {
    "C": "Curative",
    "Z": "Non-curative",
    "X": "No active treatment",
    "9": "Not known",
}

# COSD CR0470 Planned Cancer Treatment Type (repeats: alternatives or a sequence).
PLANNED_TREATMENT_TYPES: dict[str, str] = {
    "01": "Surgery",
    "02": "External beam radiotherapy (excluding proton therapy)",
    "03": "Chemotherapy",
    "04": "Hormone therapy",
    "05": "Specialist palliative care",
    "06": "Brachytherapy",
    "07": "Biological therapy",
    "10": "Other active treatment",
    "11": "No active treatment",
    "12": "Bisphosphonates",
    "13": "Anti-cancer drug regimen (other)",
    "14": "Radiotherapy (other)",
    "99": "Not known",
}
