"""An option is named by its decision: letters, forms and the API never mix two treatments
that share an option id (docetaxel with radiotherapy for M0 disease, with ADT for M1)."""

from __future__ import annotations

from api_helpers import import_list, new_meeting
from sqlalchemy import create_engine, text

from openmdt.store.database import alembic_config

M0_HIGH_RISK = {
    "case_id": "M0-1", "site": "prostate",
    "facts": {"pathway_point": "new_diagnosis", "psa": 30, "grade_group": 4, "t_stage": "T3a",
              "n_stage": "N0", "m_stage": "M0", "fit_for_radical_treatment": True,
              "who_performance_status": 0, "age": 64, "life_expectancy_years": 18,
              "mri_biopsy_concordant": True, "histology": "acinar_adenocarcinoma",
              "long_term_adt_planned": True, "radiotherapy_planned": True, "prior_arta": False,
              "brca_status": "not_tested", "family_history_strong": False,
              "declines_radical_treatment": False, "active_surveillance_unacceptable": False}}
LOW_RISK = {"case_id": "L-1", "site": "prostate",
            "facts": {**M0_HIGH_RISK["facts"], "psa": 5, "grade_group": 1, "t_stage": "T2"}}
M0_DOCETAXEL = "high_risk_non_metastatic_systemic/docetaxel"


def _outcome(options: list[str]) -> dict:
    return {"chosen_options": options, "care_plan_intent": "C",
            "planned_treatment_types": ["01", "02"], "rationale": "Agreed at the MDT"}


def _case(client, tenants, case) -> int:
    meeting_id = new_meeting(client, tenants)
    return import_list(client, tenants, meeting_id, [case]).json()["case_ids"][0]


def test_a_bare_option_id_is_named_with_the_decision_that_applies(client, tenants):
    case_id = _case(client, tenants, M0_HIGH_RISK)
    recorded = client.post(f"/api/v1/cases/{case_id}/outcome",
                           json=_outcome(["docetaxel", "localised_treatment/radical_radiotherapy"]),
                           headers=tenants.headers("chair"))
    assert recorded.status_code == 201, recorded.text
    outcome = recorded.json()["outcome"]
    assert outcome["chosen_options"] == [M0_DOCETAXEL,
                                         "localised_treatment/radical_radiotherapy"]
    assert outcome["concordant"] is True
    assert M0_DOCETAXEL in outcome["recommended_options"]


def test_an_option_offered_by_several_decisions_must_be_named(client, tenants):
    case_id = _case(client, tenants, LOW_RISK)  # no decision offering docetaxel applies
    response = client.post(f"/api/v1/cases/{case_id}/outcome", json=_outcome(["docetaxel"]),
                           headers=tenants.headers("chair"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "ambiguous_option"
    assert M0_DOCETAXEL in problem["allowed"]
    assert "metastatic_hormone_sensitive_treatment/docetaxel" in problem["allowed"]


def test_an_option_the_case_does_not_have_is_refused(client, tenants):
    case_id = _case(client, tenants, M0_HIGH_RISK)
    response = client.post(f"/api/v1/cases/{case_id}/outcome",
                           json=_outcome(["localised_treatment/chemotherapy"]),
                           headers=tenants.headers("chair"))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_option"
    assert M0_DOCETAXEL in response.json()["allowed"]


def test_stored_bare_options_are_named_by_the_migration(client, tenants, app, database_url):
    from alembic import command

    case_id = _case(client, tenants, M0_HIGH_RISK)
    assert client.post(f"/api/v1/cases/{case_id}/outcome", json=_outcome([M0_DOCETAXEL]),
                       headers=tenants.headers("chair")).status_code == 201
    config = alembic_config(database_url)
    command.downgrade(config, "0003")  # outcomes as they were stored before: bare option ids
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT chosen_options FROM outcomes")).scalar()
        assert "docetaxel" in str(stored) and "/" not in str(stored)
    command.upgrade(config, "head")
    detail = client.get(f"/api/v1/cases/{case_id}", headers=tenants.headers("chair")).json()
    assert detail["outcome"]["chosen_options"] == [M0_DOCETAXEL]
    engine.dispose()
