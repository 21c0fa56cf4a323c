"""The order state machine: Alpaca's status names, one explicit table of transitions.

Whatever the table does not list is refused, and a terminal order accepts no command at all.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PENDING_NEW = "pending_new"
    NEW = "new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    PENDING_CANCEL = "pending_cancel"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"


S = Status
TERMINAL = frozenset({S.FILLED, S.CANCELED, S.EXPIRED, S.REJECTED})
OPEN = frozenset({S.PENDING_NEW, S.NEW, S.PARTIALLY_FILLED, S.PENDING_CANCEL})

# from status            → the statuses it may move to
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.PENDING_NEW:      frozenset({S.NEW, S.REJECTED}),
    S.NEW:              frozenset({S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELED,
                                   S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELED,
                                   S.EXPIRED}),
    # A broker may still report fills for an order whose cancel it has not confirmed yet.
    S.PENDING_CANCEL:   frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED}),
    S.FILLED:           frozenset(),
    S.CANCELED:         frozenset(),
    S.EXPIRED:          frozenset(),
    S.REJECTED:         frozenset(),
}  # fmt: skip


class IllegalTransition(Exception):  # noqa: N818 - names the outcome
    """The table does not allow this move (or the order is terminal)."""

    def __init__(self, current: Status, target: Status) -> None:
        terminal = " (a terminal status)" if current in TERMINAL else ""
        super().__init__(f"an order that is {current}{terminal} cannot become {target}")
        self.current, self.target = current, target


def transition(current: Status, target: Status) -> Status:
    """`target` when the table allows `current → target`, else `IllegalTransition`."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    return target


def after_fill(current: Status, filled_qty: object, qty: object) -> Status:
    """The status after a fill: filled when nothing remains, partially filled otherwise."""
    return transition(current, S.FILLED if filled_qty == qty else S.PARTIALLY_FILLED)
