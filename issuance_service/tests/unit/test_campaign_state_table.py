"""The campaign state machine as a table: every (status, command) pair is allowed or refused."""

from itertools import product

import pytest

from issuance_service.domain.campaign_states import (
    TERMINAL,
    Command,
    IllegalTransition,
    Status,
    transition,
)

S, C = Status, Command
ALLOWED = {
    (S.DRAFT, C.SUBMIT): S.SUBMITTED,
    (S.DRAFT, C.CANCEL): S.CANCELLED,
    (S.SUBMITTED, C.APPROVE): S.APPROVED,
    (S.SUBMITTED, C.REJECT): S.DRAFT,
    (S.SUBMITTED, C.CANCEL): S.CANCELLED,
    (S.APPROVED, C.LAUNCH): S.ACTIVE,
    (S.APPROVED, C.CANCEL): S.CANCELLED,
    (S.ACTIVE, C.EXTEND): S.ACTIVE,
    (S.ACTIVE, C.EARLY_CLOSE): S.ACTIVE,
    (S.ACTIVE, C.MATERIAL_CHANGE): S.ACTIVE,
    (S.ACTIVE, C.SUCCEED): S.SUCCESSFUL,
    (S.ACTIVE, C.FAIL): S.FAILED,
    (S.ACTIVE, C.CANCEL): S.CANCELLED,
}
PAIRS = list(product(Status, Command))


@pytest.mark.parametrize(("current", "command"), sorted(ALLOWED))
def test_allowed_command_leads_to_its_status(current, command):
    assert transition(current, command) == ALLOWED[current, command]


@pytest.mark.parametrize(("current", "command"), [p for p in PAIRS if p not in ALLOWED])
def test_any_other_command_is_refused(current, command):
    with pytest.raises(IllegalTransition):
        transition(current, command)


@pytest.mark.parametrize(("current", "command"), list(product(sorted(TERMINAL), Command)))
def test_a_closed_campaign_accepts_nothing(current, command):
    with pytest.raises(IllegalTransition, match="terminal"):
        transition(current, command)


def test_a_draft_cannot_skip_compliance_to_go_live():
    for command in (C.APPROVE, C.LAUNCH, C.SUCCEED):
        with pytest.raises(IllegalTransition):
            transition(S.DRAFT, command)
