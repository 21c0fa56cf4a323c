"""The ShareCertificate contract on a real anvil: one certificate per investment, verified
holders only, the one-year resale lock, forced transfer by compliance with a reason; and the
committed artifact is what a fresh compile produces."""

import subprocess
import uuid
from pathlib import Path

import pytest
from eth_account import Account
from web3.exceptions import ContractCustomError, ContractLogicError

CHAIN_DIR = Path(__file__).resolve().parents[2] / "chain"


def test_the_committed_artifact_is_what_solc_compiles():
    result = subprocess.run(
        ["node", "compile.js", "--check"],
        cwd=CHAIN_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def send(chain, function, sender=None):
    """Transact as the deployer (admin, issuer, compliance) or `sender`, and wait."""
    web3 = chain.web3
    account = sender or chain.account
    tx = function.build_transaction(
        {"from": account.address, "nonce": web3.eth.get_transaction_count(account.address)}
    )
    signed = account.sign_transaction(tx)
    sent = web3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = web3.eth.wait_for_transaction_receipt(sent)
    assert receipt["status"] == 1
    return receipt


def funded(chain):
    account = Account.create()
    web3 = chain.web3
    send_eth = {"to": account.address, "value": 10**18, "from": chain.account.address}
    send_eth["nonce"] = web3.eth.get_transaction_count(chain.account.address)
    send_eth.update(gas=21000, gasPrice=web3.eth.gas_price * 2, chainId=web3.eth.chain_id)
    signed = chain.account.sign_transaction(send_eth)
    web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(signed.raw_transaction))
    return account


def mint(chain, holder, investment, amount_cents=250_000_00, campaign=None):
    functions = chain.contract.functions
    campaign = campaign or uuid.uuid4()
    return send(
        chain, functions.mint(holder, campaign.bytes, investment.bytes, amount_cents, "Acme Inc.")
    )


def test_a_certificate_records_campaign_amount_votes_and_company(chain):
    holder = funded(chain)
    send(chain, chain.contract.functions.setVerified(holder.address, True))
    investment, campaign = uuid.uuid4(), uuid.uuid4()
    mint(chain, holder.address, investment, 2_499_99, campaign)  # 2,499.99 → 2 votes
    assert chain.owner_of(investment.int) == holder.address
    campaign_id, amount, votes, company, _issued = chain.certificate(investment.int)
    assert (uuid.UUID(bytes=campaign_id), amount, votes, company) == (
        campaign,
        2_499_99,
        2,
        "Acme Inc.",
    )


def test_a_second_certificate_for_the_same_investment_is_refused(chain):
    holder = funded(chain)
    send(chain, chain.contract.functions.setVerified(holder.address, True))
    investment = uuid.uuid4()
    mint(chain, holder.address, investment)
    with pytest.raises((ContractCustomError, ContractLogicError)):
        chain.contract.functions.mint(
            holder.address, uuid.uuid4().bytes, investment.bytes, 1, "Acme Inc."
        ).call({"from": chain.account.address})


def test_certificates_go_only_to_verified_holders(chain):
    stranger = funded(chain)
    with pytest.raises((ContractCustomError, ContractLogicError)):
        chain.contract.functions.mint(
            stranger.address, uuid.uuid4().bytes, uuid.uuid4().bytes, 1, "Acme Inc."
        ).call({"from": chain.account.address})


def test_resale_is_locked_for_a_year_then_only_to_verified_holders(chain, rpc):
    holder, buyer, unverified = funded(chain), funded(chain), funded(chain)
    for account in (holder, buyer):
        send(chain, chain.contract.functions.setVerified(account.address, True))
    investment = uuid.uuid4()
    mint(chain, holder.address, investment)
    transfer = chain.contract.functions.transferFrom(holder.address, buyer.address, investment.int)
    with pytest.raises((ContractCustomError, ContractLogicError)):
        transfer.call({"from": holder.address})  # ResaleLocked
    rpc("evm_increaseTime", 366 * 24 * 3600)
    rpc("evm_mine")
    to_stranger = chain.contract.functions.transferFrom(
        holder.address, unverified.address, investment.int
    )
    with pytest.raises((ContractCustomError, ContractLogicError)):
        to_stranger.call({"from": holder.address})  # HolderNotVerified
    send(chain, transfer, sender=holder)
    assert chain.owner_of(investment.int) == buyer.address


def test_compliance_forces_a_transfer_with_a_reason_and_nobody_else_can(chain):
    lost, replacement, outsider = funded(chain), funded(chain), funded(chain)
    for account in (lost, replacement):
        send(chain, chain.contract.functions.setVerified(account.address, True))
    investment = uuid.uuid4()
    mint(chain, lost.address, investment)
    forced = chain.contract.functions.forcedTransfer(
        investment.int, replacement.address, "recovery: holder lost their key (ticket 4411)"
    )
    with pytest.raises((ContractCustomError, ContractLogicError)):
        forced.call({"from": outsider.address})  # AccessControlUnauthorizedAccount
    with pytest.raises((ContractCustomError, ContractLogicError)):
        chain.contract.functions.forcedTransfer(investment.int, replacement.address, "").call(
            {"from": chain.account.address}
        )  # ReasonRequired
    receipt = send(chain, forced)  # inside the resale lock: compliance may
    assert chain.owner_of(investment.int) == replacement.address
    [event] = chain.contract.events.ForcedTransfer().process_receipt(receipt)
    assert event["args"]["reason"] == "recovery: holder lost their key (ticket 4411)"
    assert (event["args"]["from"], event["args"]["to"]) == (lost.address, replacement.address)
