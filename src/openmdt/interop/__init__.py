"""Interoperability: FHIR R4 in and out, the CDS Hooks service, the COSD export."""
