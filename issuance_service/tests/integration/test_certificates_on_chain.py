"""End to end on a real anvil: a successful campaign's certificates are minted through the
crash-safe writer, one per investment; the certificate endpoint and the reconciliation agree
with the chain; the states a killed worker leaves, four concurrent writers on one key and an
`anvil_reorg` that drops the mints all end with exactly one certificate per investment."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from eth_account import Account
from sqlalchemy import select, text

from issuance_service.chain.metrics import CHAIN_RECONCILIATION_DIFFERENCES
from issuance_service.chain.models import ChainIntent
from issuance_service.chain.reconciliation import reconcile
from issuance_service.chain.writer import broadcast_signed, run_writer, sign_next, track
from issuance_service.investments.closing import close_due

CONFIRMATIONS = 2


@pytest.fixture
async def succeeded(platform, issuance, issuance_app, clock):
    """A campaign that succeeded with three investments (two with wallets, one in custody)."""
    campaign = await platform.live(min_target="1000.00")
    wallets = {"ann": Account.create().address, "bob": Account.create().address, "cat": None}
    pledges = {}
    for name, wallet in wallets.items():
        await platform.investor(name, cash="5000")
        if wallet:
            await set_wallet(issuance_app, name, wallet)
        pledges[name] = (await platform.pledge(campaign["id"], name, "1500.00")).json()
    clock.travel(timedelta(days=31))
    assert await close_due(issuance_app.state.engine, issuance_app.state.books, clock.now) == 1
    return {"campaign": campaign, "wallets": wallets, "pledges": pledges}


async def set_wallet(app, subject: str, wallet: str) -> None:
    async with app.state.engine.begin() as connection:
        await connection.execute(
            text("UPDATE investors SET wallet_address = :w WHERE subject = :s"),
            {"w": wallet, "s": subject},
        )


async def intents(engine) -> list[ChainIntent]:
    from fleetkit.db import make_sessionmaker

    async with make_sessionmaker(engine)() as session:
        return list(await session.scalars(select(ChainIntent).order_by(ChainIntent.seq)))


async def confirm_all(engine, chain, rpc, rounds: int = 6) -> None:
    for _ in range(rounds):
        await run_writer(engine, chain, CONFIRMATIONS)
        if all(i.status == "confirmed" for i in await intents(engine)):
            return
        rpc("evm_mine")
    raise AssertionError([(i.business_key, i.status, i.last_error) for i in await intents(engine)])


def mints_on_chain(chain) -> int:
    events = chain.contract.events.CertificateMinted().get_logs(from_block=0)
    return len(events)


async def test_each_investment_gets_exactly_one_certificate_and_reconciles(
    succeeded, issuance, issuance_app, chain, rpc
):
    engine = issuance_app.state.engine
    await confirm_all(engine, chain, rpc)
    # Verifications: ann, bob and custody; one mint per investment.
    kinds = sorted(i.kind for i in await intents(engine))
    assert kinds == ["mint"] * 3 + ["verify_holder"] * 3
    assert mints_on_chain(chain) == 3
    for name, pledge in succeeded["pledges"].items():
        holder = succeeded["wallets"][name] or chain.signer
        assert chain.owner_of(uuid.UUID(pledge["id"]).int) == holder
        answer = await issuance.get(
            f"/v1/investments/{pledge['id']}/certificate", headers=issuance.as_("investor", name)
        )
        body = answer.json()
        assert (body["status"], body["token_id"], body["contract"]) == (
            "confirmed",
            str(uuid.UUID(pledge["id"]).int),
            chain.contract.address,
        )
        assert body["confirmations"] >= CONFIRMATIONS
        _c, amount, votes, company, _t = chain.certificate(uuid.UUID(pledge["id"]).int)
        assert (amount, votes, company) == (150_000, 1, "Acme Robotics")
    assert await reconcile(engine, chain) == []
    assert CHAIN_RECONCILIATION_DIFFERENCES._value.get() == 0
    async with engine.connect() as connection:
        minted = await connection.scalar(
            text("SELECT count(*) FROM outbox WHERE type = 'issuance.certificate.minted'")
        )
    assert minted == 3


async def test_reconciliation_reports_a_certificate_moved_behind_the_databases_back(
    succeeded, issuance_app, chain, rpc
):
    engine = issuance_app.state.engine
    await confirm_all(engine, chain, rpc)
    ann = uuid.UUID(succeeded["pledges"]["ann"]["id"])
    elsewhere = Account.create().address
    for function in (
        chain.contract.functions.setVerified(elsewhere, True),
        chain.contract.functions.forcedTransfer(ann.int, elsewhere, "court order 17"),
    ):
        tx = function.build_transaction(
            {
                "from": chain.signer,
                "nonce": chain.web3.eth.get_transaction_count(chain.signer, "pending"),
            }
        )
        signed = chain.account.sign_transaction(tx)
        chain.web3.eth.wait_for_transaction_receipt(
            chain.web3.eth.send_raw_transaction(signed.raw_transaction)
        )
    [difference] = await reconcile(engine, chain)
    assert (difference["investment_id"], difference["field"], difference["chain"]) == (
        str(ann),
        "owner",
        elsewhere,
    )
    assert CHAIN_RECONCILIATION_DIFFERENCES._value.get() == 1  # the alert's input


async def test_a_worker_killed_between_signing_and_broadcasting_sends_the_same_bytes(
    succeeded, issuance_app, chain, rpc
):
    engine = issuance_app.state.engine
    while await sign_next(engine, chain):  # the killed worker signed and stored, then died
        pass
    before = {i.business_key: (i.nonce, i.tx_hash) for i in await intents(engine)}
    assert all(i.status == "signed" for i in await intents(engine))
    await confirm_all(engine, chain, rpc)  # the next worker
    after = {i.business_key: (i.nonce, i.tx_hash) for i in await intents(engine)}
    assert after == before  # no new nonce, no new transaction
    assert mints_on_chain(chain) == 3


async def test_a_worker_killed_between_broadcasting_and_the_receipt_finds_it_by_hash(
    succeeded, issuance_app, chain, rpc
):
    engine = issuance_app.state.engine
    while await sign_next(engine, chain):
        pass
    await broadcast_signed(engine, chain)  # then died before recording any receipt
    await broadcast_signed(engine, chain)  # nothing is signed any more: nothing is resent
    assert {i.status for i in await intents(engine)} == {"broadcast"}
    await confirm_all(engine, chain, rpc)
    assert all(i.broadcasts == 1 for i in await intents(engine))
    assert mints_on_chain(chain) == 3


async def test_four_writers_on_one_key_lose_no_transaction(succeeded, issuance_app, chain, rpc):
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    url = issuance_app.state.engine.url
    engines = [create_async_engine(url, poolclass=NullPool) for _ in range(4)]
    try:
        for _ in range(4):
            await asyncio.gather(*(run_writer(e, chain, CONFIRMATIONS) for e in engines))
            rpc("evm_mine")
    finally:
        for engine in engines:
            await engine.dispose()
    await confirm_all(issuance_app.state.engine, chain, rpc)
    rows = await intents(issuance_app.state.engine)
    nonces = sorted(i.nonce or 0 for i in rows)
    assert nonces == list(range(nonces[0], nonces[0] + len(rows)))  # no gap, no duplicate
    assert mints_on_chain(chain) == 3


async def test_a_reorg_that_drops_the_mints_ends_with_them_included_again(
    succeeded, issuance_app, chain, rpc
):
    engine = issuance_app.state.engine
    while await sign_next(engine, chain):
        pass
    await broadcast_signed(engine, chain)
    await track(engine, chain, 100)  # mined, none final yet (automine: one block per tx)
    mined = await intents(engine)
    assert {i.status for i in mined} == {"mined"}
    depth = chain.head() - min(i.block_number or 0 for i in mined) + 1
    rpc("anvil_reorg", depth, [])  # the blocks holding every mint are replaced by empty ones
    assert mints_on_chain(chain) == 0
    await confirm_all(engine, chain, rpc)
    rows = await intents(engine)
    assert sum(i.reorgs for i in rows) == len(rows)
    assert all(i.status == "confirmed" for i in rows)
    assert mints_on_chain(chain) == 3
    for pledge in succeeded["pledges"].values():
        assert chain.owner_of(uuid.UUID(pledge["id"]).int) is not None
    assert await reconcile(engine, chain) == []


async def test_a_failed_campaign_mints_nothing(platform, issuance_app, clock, chain, rpc):
    campaign = await platform.live(min_target="5000.00")
    await platform.investor("ann", cash="5000")
    await platform.pledge(campaign["id"], "ann", "100.00")
    clock.travel(timedelta(days=31))
    await close_due(issuance_app.state.engine, issuance_app.state.books, clock.now)
    await run_writer(issuance_app.state.engine, chain, CONFIRMATIONS)
    assert await intents(issuance_app.state.engine) == []
    assert mints_on_chain(chain) == 0


async def test_operators_list_intents_and_rebroadcast_the_stored_bytes(
    succeeded, issuance, issuance_app, chain, rpc
):
    engine = issuance_app.state.engine
    while await sign_next(engine, chain):
        pass
    admin = issuance.as_("admin")
    listed = await issuance.get("/v1/chain/intents", params={"status": "signed"}, headers=admin)
    assert len(listed.json()) == 6
    first = listed.json()[0]
    sent = await issuance.post(f"/v1/chain/intents/{first['id']}/rebroadcast", headers=admin)
    assert (sent.json()["status"], sent.json()["tx_hash"]) == ("broadcast", first["tx_hash"])
    assert chain.known(first["tx_hash"])
    await confirm_all(engine, chain, rpc)
    done = await issuance.post(f"/v1/chain/intents/{first['id']}/rebroadcast", headers=admin)
    assert (done.status_code, done.json()["type"]) == (
        409,
        "urn:finfleet:problem:intent-not-in-flight",
    )
    investor = await issuance.get("/v1/chain/intents", headers=issuance.as_("investor", "ann"))
    assert investor.status_code == 403
