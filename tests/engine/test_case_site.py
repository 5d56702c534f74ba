"""A case that names its tumour site is evaluated only by a pack for that site (issue 13):
with two sites shipped, a case is never silently read as another site's case."""

from __future__ import annotations

import pytest
from engine_helpers import AS_OF, LOW_FIT, mini

from openmdt.cases import CaseError
from openmdt.engine import evaluate


def _case(site: object) -> dict:
    case = {"case_id": "s1", "facts": dict(LOW_FIT)}
    if site is not None:
        case["site"] = site
    return case


def test_a_case_for_another_site_is_refused_naming_both_sites() -> None:
    with pytest.raises(CaseError) as error:
        evaluate(mini(), _case("breast"), as_of=AS_OF)
    assert error.value.code == "site_mismatch"
    assert error.value.path == "site" and error.value.value == "breast"
    assert error.value.allowed == "testsite"
    assert "'breast'" in error.value.message and "'testsite'" in error.value.message


@pytest.mark.parametrize("site", [None, "", "testsite", " testsite "])
def test_the_pack_site_or_no_site_is_evaluated(site: object) -> None:
    output = evaluate(mini(), _case(site), as_of=AS_OF).to_dict()
    assert output["triage"]["route"] == "standard_of_care"


def test_site_is_compared_exactly_not_guessed() -> None:
    with pytest.raises(CaseError) as error:
        evaluate(mini(), _case("TestSite"), as_of=AS_OF)
    assert error.value.code == "site_mismatch"
