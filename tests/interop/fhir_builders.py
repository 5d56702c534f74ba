"""Small FHIR R4 records written for the tests (synthetic patients, 999-range NHS numbers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXTERNAL = Path(__file__).resolve().parent.parent / "fixtures" / "external"
FHIR = EXTERNAL / "fhir"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


def patient(ident: str = "p1", nhs_number: str = "9990000018") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": ident, "birthDate": "1956-06-16",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number",
                            "value": nhs_number}],
            "name": [{"given": ["Test"], "family": "Patient"}]}


def prostate_cancer(ident: str = "c1", patient_id: str = "p1") -> dict[str, Any]:
    return {"resourceType": "Condition", "id": ident,
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": {"coding": [{"system": SNOMED, "code": "399068003"}]}}


def psa(ident: str, value: float, when: str, unit: str = "ng/mL",
        patient_id: str = "p1") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": {"coding": [{"system": LOINC, "code": "2857-1"}]},
            "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit,
                              "system": "http://unitsofmeasure.org", "code": unit}}


def ecog(ident: str, value: int, when: str, patient_id: str = "p1") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": {"coding": [{"system": LOINC, "code": "89247-1"}]},
            "effectiveDateTime": when, "valueInteger": value}


def bundle(*resources: dict[str, Any], kind: str = "collection") -> str:
    entries = [{"fullUrl": f"urn:uuid:{r['resourceType'].lower()}-{r['id']}", "resource": r}
               for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": kind, "entry": entries})
