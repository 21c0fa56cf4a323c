"""The campaign state machine: one explicit table of commands and the statuses they lead to.

Whatever the table does not list is refused; a successful, failed or cancelled campaign accepts
no command at all.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    ACTIVE = "active"
    SUCCESSFUL = "successful"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Command(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"  # compliance sends a submission back to draft, with a reason
    LAUNCH = "launch"
    EXTEND = "extend"
    EARLY_CLOSE = "early_close"
    MATERIAL_CHANGE = "material_change"
    SUCCEED = "succeed"
    FAIL = "fail"
    CANCEL = "cancel"


S, C = Status, Command
TERMINAL = frozenset({S.SUCCESSFUL, S.FAILED, S.CANCELLED})

# (from status, command) → the status it leads to
TRANSITIONS: dict[tuple[Status, Command], Status] = {
    (S.DRAFT,     C.SUBMIT):      S.SUBMITTED,
    (S.DRAFT,     C.CANCEL):      S.CANCELLED,
    (S.SUBMITTED, C.APPROVE):     S.APPROVED,
    (S.SUBMITTED, C.REJECT):      S.DRAFT,
    (S.SUBMITTED, C.CANCEL):      S.CANCELLED,
    (S.APPROVED,  C.LAUNCH):      S.ACTIVE,
    (S.APPROVED,  C.CANCEL):      S.CANCELLED,
    (S.ACTIVE,    C.EXTEND):      S.ACTIVE,
    (S.ACTIVE,    C.EARLY_CLOSE): S.ACTIVE,
    (S.ACTIVE,    C.MATERIAL_CHANGE): S.ACTIVE,
    (S.ACTIVE,    C.SUCCEED):     S.SUCCESSFUL,
    (S.ACTIVE,    C.FAIL):        S.FAILED,
    # Cancelling a live campaign refunds every pledge (holds voided), like a failure.
    (S.ACTIVE,    C.CANCEL):      S.CANCELLED,
}  # fmt: skip


class IllegalTransition(Exception):  # noqa: N818 - names the outcome
    """The table does not allow this command in this status."""

    def __init__(self, current: Status, command: Command) -> None:
        terminal = " (a terminal status)" if current in TERMINAL else ""
        super().__init__(f"a campaign that is {current}{terminal} cannot {command}")
        self.current, self.command = current, command


def transition(current: Status, command: Command) -> Status:
    """The status `command` leads to from `current`, else `IllegalTransition`."""
    target = TRANSITIONS.get((current, command))
    if target is None:
        raise IllegalTransition(current, command)
    return target
