"""Properties of the pure posting engine over random books and random command sequences.

A `Book` plays the service's part: between batches it keeps what Postgres would (accounts,
recorded transactions, request fingerprints, entries) and hands `apply_batch` a fresh
`BatchState` for each batch. Next to it, a reference ledger rebuilds every account's totals
from the lines of created transactions alone, so the engine's totals and entries are checked
against something that does not share its code.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ledger_service.domain.accounts import CREDIT, DEBIT, AccountState
from ledger_service.domain.amounts import MAX_MINOR_UNITS
from ledger_service.domain.engine import (
    BatchState,
    Entry,
    NewTransaction,
    Outcome,
    TransactionCommand,
    apply_batch,
)
from ledger_service.domain.transactions import (
    EXPIRE_HOLD,
    PENDING,
    POST_HOLD,
    POSTED,
    REVERSAL,
    VOID_HOLD,
    Condition,
    Line,
    RecordedTransaction,
)

ASSETS = {"USD": 2, "JPY": 0, "AAPL": 9, "ETH": 18}
START = datetime(2030, 1, 1, tzinfo=UTC)
TICK = timedelta(seconds=1)
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
LONG_WALK = settings(FAST, max_examples=200)
Totals = tuple[int, int, int, int]  # debits_pending, debits_posted, credits_pending, credits_posted
ZERO: Totals = (0, 0, 0, 0)


def totals(account: AccountState) -> Totals:
    return (
        account.debits_pending,
        account.debits_posted,
        account.credits_pending,
        account.credits_posted,
    )


def entry_totals(entry: Entry) -> Totals:
    return (entry.debits_pending, entry.debits_posted, entry.credits_pending, entry.credits_posted)


def moved(current: Totals, line: Line, *, pending: bool, sign: int = 1) -> Totals:
    column = (0 if line.side == DEBIT else 2) + (0 if pending else 1)
    as_list = list(current)
    as_list[column] += sign * line.amount
    dp, dpo, cp, cpo = as_list
    return dp, dpo, cp, cpo


@dataclass
class Book:
    """The state the service keeps between batches, and a reference ledger beside it."""

    accounts: dict[uuid.UUID, AccountState]
    now: datetime = START
    recorded: dict[uuid.UUID, RecordedTransaction] = field(default_factory=dict)
    hashes: dict[uuid.UUID, str] = field(default_factory=dict)
    commands: dict[uuid.UUID, TransactionCommand] = field(default_factory=dict)
    created_lines: dict[uuid.UUID, tuple[Line, ...]] = field(default_factory=dict)
    entries: dict[uuid.UUID, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    reference: dict[uuid.UUID, Totals] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_000_000))

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=next(self.ids))

    def of_asset(self, code: str) -> list[uuid.UUID]:
        return sorted(a.id for a in self.accounts.values() if a.asset_code == code)

    def snapshot(self) -> tuple[object, ...]:
        """Everything a batch may change, for before/after comparisons."""
        return (
            {aid: (totals(a), a.version, a.closed) for aid, a in self.accounts.items()},
            dict(self.recorded),
            dict(self.hashes),
            {aid: len(entries) for aid, entries in self.entries.items()},
        )

    def run(self, commands: Sequence[TransactionCommand], *, atomic: bool = False) -> list[Outcome]:
        """One batch as the service runs it: fresh state in, results persisted, checked."""
        self.now += TICK
        state = BatchState(
            accounts={aid: replace(a, touched=False) for aid, a in self.accounts.items()},
            recorded=dict(self.recorded),
            existing_hashes=dict(self.hashes),
            now=self.now,
        )
        outcomes = apply_batch(commands, state, atomic=atomic)
        assert [o.index for o in outcomes] == list(range(len(commands)))
        assert [o.id for o in outcomes] == [c.id for c in commands]
        self.accounts, self.recorded, self.hashes = (
            state.accounts,
            state.recorded,
            state.existing_hashes,
        )
        for outcome in outcomes:
            assert (outcome.created is not None) == (outcome.status == "created")
            assert (outcome.refusal is not None) == (outcome.status == "refused")
            if outcome.created is not None:
                self._replay(outcome.created)
        return outcomes

    def _replay(self, item: NewTransaction) -> None:
        """Apply a created transaction to the reference ledger and check its entries."""
        command = item.command
        assert item.committed_at == self.now
        if command.kind in (POST_HOLD, VOID_HOLD, EXPIRE_HOLD):
            assert command.target_id is not None
            for line in self.created_lines[command.target_id]:
                self.reference[line.account_id] = moved(
                    self.reference[line.account_id], line, pending=True, sign=-1
                )
        if command.kind in (POSTED, PENDING):
            assert item.lines == command.lines
        for line in item.lines:
            self.reference[line.account_id] = moved(
                self.reference[line.account_id], line, pending=command.kind == PENDING
            )
        self.created_lines[command.id] = item.lines
        self.commands[command.id] = command
        touched = {line.account_id for line in item.lines}
        if command.target_id is not None and command.kind != REVERSAL:
            touched |= {line.account_id for line in self.created_lines[command.target_id]}
        assert {e.account_id for e in item.entries} == touched
        assert len(item.entries) == len(touched)
        for entry in item.entries:
            history = self.entries[entry.account_id]
            assert entry.version == len(history) + 1
            assert entry_totals(entry) == self.reference[entry.account_id]
            history.append(entry)


def assert_books_hold(book: Book) -> None:
    """Invariants (a), (b), (d): balanced per asset, limits kept, entries replay to totals."""
    posted: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for account in book.accounts.values():
        posted[account.asset_code] += account.debits_posted - account.credits_posted
        pending[account.asset_code] += account.debits_pending - account.credits_pending
        assert min(totals(account)) >= 0, account
        if account.debits_must_not_exceed_credits:
            assert account.debits_pending + account.debits_posted <= account.credits_posted
        if account.credits_must_not_exceed_debits:
            assert account.credits_pending + account.credits_posted <= account.debits_posted
        history = book.entries[account.id]
        assert [e.version for e in history] == list(range(1, len(history) + 1))
        assert account.version == len(history)
        assert totals(account) == (entry_totals(history[-1]) if history else ZERO)
        assert totals(account) == book.reference[account.id]
    assert all(v == 0 for v in posted.values()), posted
    assert all(v == 0 for v in pending.values()), pending


# -- building books and commands -------------------------------------------------------------


@st.composite
def books(draw: st.DrawFn) -> Book:
    """Accounts in several assets, both normal sides, some limited, some closed, funded."""
    book = Book(accounts={})
    for code, scale in ASSETS.items():
        world_id = book.new_id()
        book.accounts[world_id] = AccountState(world_id, "t", f"world/{code}", code, scale, DEBIT)
        for n in range(draw(st.integers(2, 4))):
            flag = draw(st.sampled_from(["none", "none", "debits", "credits"]))
            account_id = book.new_id()
            book.accounts[account_id] = AccountState(
                account_id,
                "t",
                f"{code}/{n}",
                code,
                scale,
                draw(st.sampled_from([CREDIT, CREDIT, DEBIT])),
                debits_must_not_exceed_credits=flag == "debits",
                credits_must_not_exceed_debits=flag == "credits",
            )
    funding = []
    for account in list(book.accounts.values()):
        if account.name.startswith("world/"):
            continue
        world = next(a for a in book.accounts.values() if a.name == f"world/{account.asset_code}")
        amount = draw(st.integers(0, 800))
        if amount and not account.credits_must_not_exceed_debits:
            lines = (Line(world.id, DEBIT, amount), Line(account.id, CREDIT, amount))
        elif amount:
            lines = (Line(account.id, DEBIT, amount), Line(world.id, CREDIT, amount))
        else:
            continue
        funding.append(command(book, POSTED, lines=lines))
    outcomes = book.run(funding)
    assert all(o.status == "created" for o in outcomes), outcomes
    for account in book.accounts.values():
        account.closed = not account.name.startswith("world/") and draw(
            st.sampled_from([False] * 7 + [True])
        )
    return book


def command(book: Book, kind: str, **fields: Any) -> TransactionCommand:
    """A command whose fingerprint is its content, like the service's request hash."""
    content = {"kind": kind, **fields}
    content.pop("group", None)
    fingerprint = repr(sorted(content.items()))
    return TransactionCommand(id=book.new_id(), kind=kind, request_hash=fingerprint, **fields)


def split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """`total` as up to `parts` positive amounts."""
    if total < 2 or parts < 2:
        return [total]
    cuts = sorted(set(draw(st.lists(st.integers(1, total - 1), max_size=parts - 1))))
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def draw_lines(draw: st.DrawFn, book: Book, *, two_lines: bool) -> tuple[Line, ...]:
    """Balanced lines (a transfer, or several assets and accounts), sometimes spoiled."""
    codes = (
        [draw(st.sampled_from(sorted(ASSETS)))]
        if two_lines
        else draw(st.lists(st.sampled_from(sorted(ASSETS)), min_size=1, max_size=3, unique=True))
    )
    lines: list[Line] = []
    for code in codes:
        pick = st.sampled_from(book.of_asset(code))
        amount = draw(st.integers(1, 500))
        if two_lines:
            lines += [Line(draw(pick), DEBIT, amount), Line(draw(pick), CREDIT, amount)]
            continue
        for side in (DEBIT, CREDIT):
            for part in split(draw, amount, draw(st.integers(1, 3))):
                lines.append(Line(draw(pick), side, part))
    spoil = draw(st.sampled_from(["none"] * 12 + ["unbalanced", "zero", "unknown"]))
    n = draw(st.integers(0, len(lines) - 1))
    if spoil == "unbalanced":
        lines[n] = replace(lines[n], amount=lines[n].amount + 1)
    elif spoil == "zero":
        lines[n] = replace(lines[n], amount=0)
    elif spoil == "unknown":
        lines[n] = replace(lines[n], account_id=uuid.UUID(int=7))
    return tuple(draw(st.permutations(lines)))


def draw_conditions(draw: st.DrawFn, book: Book, lines: Sequence[Line]) -> tuple[Condition, ...]:
    if not lines or draw(st.integers(0, 4)) != 0:
        return ()
    account = book.accounts.get(draw(st.sampled_from([line.account_id for line in lines])))
    if account is None:
        return ()
    if draw(st.booleans()):
        return (Condition(account.id, version=account.version - draw(st.integers(0, 1))),)
    return (Condition(account.id, available_at_least=draw(st.integers(-200, 1_500))),)


def amount_text(draw: st.DrawFn, units: int, scale: int) -> str:
    """A partial amount: the given units, sometimes with a digit beyond the scale."""
    text = format(Decimal(units).scaleb(-scale), "f")
    if draw(st.integers(0, 9)) == 0:
        return format(Decimal(text) + Decimal(5).scaleb(-scale - 1), "f")
    return text


def draw_target(
    draw: st.DrawFn, book: Book, earlier: Sequence[TransactionCommand], *, holds: bool
) -> uuid.UUID:
    """An earlier transaction, possibly one placed earlier in the same batch."""
    open_holds = sorted(
        r.id for r in book.recorded.values() if r.kind == PENDING and r.resolved_by is None
    ) + [c.id for c in earlier if c.kind == PENDING]
    everything = sorted(book.recorded) + [c.id for c in earlier]
    candidates = open_holds if holds and open_holds else everything
    if not candidates or draw(st.integers(0, 12)) == 0:
        return uuid.UUID(int=8)  # no such transaction
    return draw(st.sampled_from(candidates))


def partial_amount(
    draw: st.DrawFn, book: Book, earlier: Sequence[TransactionCommand], target_id: uuid.UUID
) -> str | None:
    target = book.recorded.get(target_id)
    lines = target.lines if target else next((c.lines for c in earlier if c.id == target_id), ())
    if not lines or lines[0].account_id not in book.accounts or draw(st.booleans()):
        return None
    full = lines[0].amount
    scale = book.accounts[lines[0].account_id].scale
    return amount_text(draw, draw(st.integers(1, full + 1)), scale)


KINDS = (
    ["transfer"] * 4
    + ["multi"] * 3
    + ["hold"] * 5
    + ["post"] * 3
    + ["void", "void", "expire", "reverse", "reverse", "same-id", "other-fingerprint"]
)


def draw_command(
    draw: st.DrawFn, book: Book, earlier: Sequence[TransactionCommand] = ()
) -> TransactionCommand:
    """Any command the engine may be given, valid or not; `earlier` items of its batch."""
    what = draw(st.sampled_from(KINDS))
    if what in ("transfer", "multi", "hold"):
        lines = draw_lines(draw, book, two_lines=what != "multi" or draw(st.booleans()))
        expires_at = None
        if what == "hold" and draw(st.booleans()):
            expires_at = book.now + TICK * draw(st.sampled_from([1, 2, 3, 3, 5, 8]))
        return command(
            book,
            PENDING if what == "hold" else POSTED,
            lines=lines,
            conditions=draw_conditions(draw, book, lines),
            expires_at=expires_at,
        )
    if what in ("post", "void", "expire", "reverse"):
        kind = {"post": POST_HOLD, "void": VOID_HOLD, "expire": EXPIRE_HOLD}.get(what, REVERSAL)
        target_id = draw_target(draw, book, earlier, holds=kind != REVERSAL)
        partial = kind in (POST_HOLD, REVERSAL)
        amount = partial_amount(draw, book, earlier, target_id) if partial else None
        return command(book, kind, target_id=target_id, amount=amount)
    if not book.commands:
        return command(book, POSTED, lines=draw_lines(draw, book, two_lines=True))
    original = book.commands[draw(st.sampled_from(sorted(book.commands)))]
    if what == "same-id":
        return original
    return replace(original, request_hash=original.request_hash + "'")


def grouped(draw: st.DrawFn, items: list[TransactionCommand]) -> list[TransactionCommand]:
    labels = draw(st.lists(st.sampled_from([None, None, "a", "b"]), min_size=len(items)))
    return [replace(item, group=label) for item, label in zip(items, labels, strict=False)]


def linked_runs(items: Sequence[TransactionCommand], atomic: bool) -> list[range]:
    """Index ranges that must succeed or fail together: the documented grouping."""
    if atomic:
        return [range(len(items))]
    runs: list[range] = []
    start = 0
    for end in range(1, len(items) + 1):
        if end == len(items) or items[end].group is None or items[end].group != items[start].group:
            runs.append(range(start, end))
            start = end
    return runs


def assert_all_or_nothing(outcomes: Sequence[Outcome], run: range) -> None:
    statuses = {outcomes[i].status for i in run}
    if "refused" not in statuses:
        return
    assert statuses == {"refused"}, [outcomes[i] for i in run]
    refusals = [outcomes[i].refusal for i in run]
    own = [r for r in refusals if r is not None and r.kind != "linked-failed"]
    assert len(run) == 1 or len(own) == 1, [outcomes[i] for i in run]


# -- properties -------------------------------------------------------------------------------


@LONG_WALK
@given(data=st.data())
def test_random_batches_keep_every_invariant(data):
    """(a)(b)(d) after every batch; (c) for single refused items; (g) per linked run; (h)."""
    book = data.draw(books())
    assert_books_hold(book)
    for _ in range(data.draw(st.integers(1, 8))):
        size = data.draw(st.sampled_from([1, 1, 1, 2, 3, 5, 8]))
        items: list[TransactionCommand] = []
        for _ in range(size):
            items.append(draw_command(data.draw, book, items))
        atomic = size > 1 and data.draw(st.integers(0, 5)) == 0
        if size > 1 and not atomic:
            items = grouped(data.draw, items)
        before = book.snapshot()
        known = dict(book.hashes)
        outcomes = book.run(items, atomic=atomic)
        assert_books_hold(book)
        if all(o.status != "created" for o in outcomes):
            assert book.snapshot() == before  # (c) and (h): nothing created, nothing changed
        for run in linked_runs(items, atomic):
            assert_all_or_nothing(outcomes, run)
        for item, outcome in zip(items, outcomes, strict=True):
            if (item.id in known and outcome.refusal is None) or (
                outcome.refusal and (outcome.refusal.kind != "linked-failed" and item.id in known)
            ):
                expected = "existing" if known[item.id] == item.request_hash else "refused"
                assert outcome.status == expected, (item, outcome)
                if expected == "refused":
                    assert outcome.refusal is not None
                    assert outcome.refusal.kind == "transaction-id-reused"
            if outcome.status == "created" and item.kind == REVERSAL and item.amount is None:
                assert item.target_id is not None
                original = book.created_lines[item.target_id]
                assert outcome.created is not None
                assert sorted(outcome.created.lines, key=repr) == sorted(
                    (line.mirrored() for line in original), key=repr
                )


@FAST
@given(data=st.data())
def test_a_refused_item_changes_nothing(data):
    """(c): a batch holding one refused item leaves accounts, records and entries untouched."""
    book = data.draw(books())
    for _ in range(data.draw(st.integers(0, 3))):
        book.run([draw_command(data.draw, book) for _ in range(3)])
    item = draw_command(data.draw, book)
    before = book.snapshot()
    [outcome] = book.run([item])
    assume(outcome.status == "refused")
    assert book.snapshot() == before
    assert_books_hold(book)


@FAST
@given(data=st.data())
def test_a_full_reversal_nets_every_account_to_zero(data):
    """(e): X then its full reversal: every account's balances as before X, holds untouched."""
    book = data.draw(books())
    lines = draw_lines(data.draw, book, two_lines=data.draw(st.booleans()))
    before = {aid: a.balances() for aid, a in book.accounts.items()}
    pending_before = {aid: totals(a)[0::2] for aid, a in book.accounts.items()}
    original = command(book, POSTED, lines=lines)
    reversal = command(book, REVERSAL, target_id=original.id)
    same_batch = data.draw(st.booleans())
    if same_batch:
        [posted, reversed_] = book.run([original, reversal])
    else:
        [posted] = book.run([original])
        [reversed_] = book.run([reversal])
    assume(posted.status == "created")
    assert reversed_.status == "created", reversed_.refusal
    assert {aid: a.balances() for aid, a in book.accounts.items()} == before
    assert {aid: totals(a)[0::2] for aid, a in book.accounts.items()} == pending_before
    net: dict[uuid.UUID, int] = defaultdict(int)
    assert posted.created is not None
    assert reversed_.created is not None
    for line in (*posted.created.lines, *reversed_.created.lines):
        net[line.account_id] += line.amount if line.side == DEBIT else -line.amount
    assert set(net.values()) <= {0}
    again = command(book, REVERSAL, target_id=original.id, amount="1")
    [twice] = book.run([again])
    assert twice.refusal is not None
    assert twice.refusal.kind == "already-reversed"
    assert_books_hold(book)


@FAST
@given(data=st.data())
def test_a_resolved_hold_leaves_pending_totals_as_before_it(data):
    """(f): a hold posted (fully or partly), voided or expired releases exactly what it held."""
    book = data.draw(books())
    two_lines = data.draw(st.booleans())
    lines = draw_lines(data.draw, book, two_lines=two_lines)
    pending_before = {aid: totals(a)[0::2] for aid, a in book.accounts.items()}
    hold = command(book, PENDING, lines=lines)
    [placed] = book.run([hold])
    assume(placed.status == "created")
    assert any(totals(a)[0::2] != pending_before[a.id] for a in book.accounts.values())
    posted_before = {aid: totals(a)[1::2] for aid, a in book.accounts.items()}
    kind = data.draw(st.sampled_from([POST_HOLD, POST_HOLD, VOID_HOLD, EXPIRE_HOLD]))
    amount = None
    if kind == POST_HOLD and two_lines and data.draw(st.booleans()):
        scale = book.accounts[lines[0].account_id].scale
        units = data.draw(st.integers(1, lines[0].amount))
        amount = format(Decimal(units).scaleb(-scale), "f")
    [resolved] = book.run([command(book, kind, target_id=hold.id, amount=amount)])
    assert resolved.status == "created", resolved.refusal
    assert {aid: totals(a)[0::2] for aid, a in book.accounts.items()} == pending_before
    posted_after = {aid: totals(a)[1::2] for aid, a in book.accounts.items()}
    if kind != POST_HOLD:
        assert posted_after == posted_before
    else:
        assert resolved.created is not None
        expected = {aid: list(t) for aid, t in posted_before.items()}
        for line in resolved.created.lines:
            expected[line.account_id][0 if line.side == DEBIT else 1] += line.amount
        assert posted_after == {aid: tuple(t) for aid, t in expected.items()}
    for again in (POST_HOLD, VOID_HOLD, EXPIRE_HOLD):
        if again == kind:
            continue
        [refused] = book.run([command(book, again, target_id=hold.id)])
        assert refused.refusal is not None
        assert refused.refusal.kind == "hold-already-resolved"
    assert_books_hold(book)


@FAST
@given(data=st.data())
def test_linked_items_and_atomic_batches_succeed_or_fail_together(data):
    """(g): one linked group or one atomic batch: all applied, or none and nothing changed."""
    book = data.draw(books())
    book.run([draw_command(data.draw, book) for _ in range(4)])
    items = [draw_command(data.draw, book) for _ in range(data.draw(st.integers(2, 6)))]
    atomic = data.draw(st.booleans())
    if not atomic:
        items = [replace(item, group="g") for item in items]
    before = book.snapshot()
    outcomes = book.run(items, atomic=atomic)
    assert_all_or_nothing(outcomes, range(len(items)))
    if outcomes[0].status == "refused":
        assert book.snapshot() == before
    assert_books_hold(book)


@FAST
@given(data=st.data())
def test_a_repeated_id_replays_or_is_refused_and_changes_nothing(data):
    """(h): the same id and fingerprint is `existing`; another fingerprint is refused."""
    book = data.draw(books())
    lines = draw_lines(data.draw, book, two_lines=True)
    original = command(book, data.draw(st.sampled_from([POSTED, PENDING])), lines=lines)
    same_batch = data.draw(st.booleans())
    replay, other = original, replace(original, request_hash="another request")
    if same_batch:
        outcomes = book.run([original, replay, other])
        assume(outcomes[0].status == "created")
        statuses = [o.status for o in outcomes]
        assert statuses == ["created", "existing", "refused"]
    else:
        [first] = book.run([original])
        assume(first.status == "created")
        before = book.snapshot()
        [again, refused] = book.run([replay, other])
        assert (again.status, refused.status) == ("existing", "refused")
        assert book.snapshot() == before
        outcomes = [first, again, refused]
    assert outcomes[2].refusal is not None
    assert outcomes[2].refusal.kind == "transaction-id-reused"
    assert_books_hold(book)


def two_accounts() -> tuple[Book, uuid.UUID, uuid.UUID]:
    book = Book(accounts={})
    source, destination = book.new_id(), book.new_id()
    for account_id, name in ((source, "source"), (destination, "destination")):
        book.accounts[account_id] = AccountState(account_id, "t", name, "ETH", 18, CREDIT)
    return book, source, destination


def test_a_total_beyond_what_a_bigint_holds_is_refused():
    """Found by the Postgres tests (a 500 before 7738ff7): totals must fit their columns."""
    book, source, destination = two_accounts()
    largest = MAX_MINOR_UNITS - 1
    lines = (Line(source, DEBIT, largest), Line(destination, CREDIT, largest))
    outcomes = book.run([command(book, POSTED, lines=lines) for _ in range(3)])
    assert [o.status for o in outcomes] == ["created", "created", "refused"]
    assert outcomes[2].refusal is not None
    assert outcomes[2].refusal.kind == "capacity-exceeded"
    assert_books_hold(book)


def test_expiring_what_is_not_a_hold_is_refused_as_not_a_hold():
    book, source, destination = two_accounts()
    lines = (Line(source, DEBIT, 5), Line(destination, CREDIT, 5))
    transfer = command(book, POSTED, lines=lines)
    book.run([transfer])

    [outcome] = book.run([command(book, EXPIRE_HOLD, target_id=transfer.id)])

    assert outcome.refusal is not None
    assert outcome.refusal.kind == "not-a-hold"
