"""One-shot, idempotent deploy of the certificate contract (the deploy job of `make up`, and
of `make dev`'s chain process).

The contract's address is configuration (ISSUANCE_CHAIN_CONTRACT_ADDRESS): the address a
contract created by the signing key at nonce 0 gets. If code is already there, nothing is
done; if the key has never sent a transaction, the contract is deployed (and lands exactly
there); anything else is an error for an operator (another contract, another key).
"""

from __future__ import annotations

from eth_account import Account
from web3 import Web3

from issuance_service.chain.contract import deploy
from issuance_service.config import get_settings


def deploy_once() -> str:
    """The contract's address, deploying it first when the chain does not have it yet."""
    settings = get_settings()
    if settings.chain_private_key is None or settings.chain_contract_address is None:
        raise SystemExit(
            "ISSUANCE_CHAIN_PRIVATE_KEY and ISSUANCE_CHAIN_CONTRACT_ADDRESS are needed"
        )
    url, key = settings.fleet.chain_rpc_url, settings.chain_private_key.get_secret_value()
    web3 = Web3(Web3.HTTPProvider(url))
    address = Web3.to_checksum_address(settings.chain_contract_address)
    if web3.eth.get_code(address):
        return address
    signer = Account.from_key(key).address
    if web3.eth.get_transaction_count(signer) != 0:
        raise SystemExit(f"no contract at {address} and {signer} has already sent transactions")
    deployed = deploy(url, key)
    if Web3.to_checksum_address(deployed) != address:
        raise SystemExit(f"deployed at {deployed}, but {address} is configured")
    return deployed


if __name__ == "__main__":
    print(deploy_once())
