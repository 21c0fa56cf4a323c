"""The gateway's coarse check lets through what the service could allow on some resource:
personal rules (the caller's own items) and four-eyes rules (someone else's items) alike."""

from __future__ import annotations

import pytest

from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from portfolio_service.gateway.access import authorize_forwarded
from portfolio_service.identity.tokens import Caller


def caller(role: str, **attributes: str) -> Caller:
    return Caller(Principal("user-1", "acme", frozenset({role}), attributes))


def test_compliance_may_post_to_issuance_for_a_review_of_someone_elses_issuer():
    authorize_forwarded(caller("compliance"), "issuance", "POST")


def test_an_investor_may_post_a_pledge():
    attributes = {"kyc_status": "verified", "accredited": "true", "jurisdiction": "US"}
    authorize_forwarded(caller("investor", **attributes), "issuance", "POST")


def test_an_investor_not_yet_checked_may_post_their_own_profile():
    authorize_forwarded(caller("investor"), "issuance", "POST")


def test_a_viewer_may_not_post_to_issuance():
    with pytest.raises(ProblemError) as refused:
        authorize_forwarded(caller("viewer"), "issuance", "POST")
    assert refused.value.status == 403
