"""The share-certificate contract as the service sees it: the committed artifact (ABI and
bytecode compiled by `compile.js`), a node reached over JSON-RPC, and the calls it makes.

web3's client is synchronous; the async use cases call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from web3 import Web3
from web3.exceptions import TransactionNotFound

ARTIFACT = Path(__file__).parent / "artifacts" / "ShareCertificate.json"
GAS = {"verify_holder": 120_000, "mint": 400_000}
MINOR_UNITS = Decimal(100)  # amounts on chain are cents
BATCH = 200  # calls per JSON-RPC batch request


@lru_cache
def artifact() -> dict[str, Any]:
    """The committed ABI and bytecode."""
    loaded: dict[str, Any] = json.loads(ARTIFACT.read_text())
    return loaded


def token_id_of(investment_id: uuid.UUID) -> int:
    """The certificate's token id: the investment's UUID as a 128-bit integer."""
    return investment_id.int


def bytes16(value: uuid.UUID) -> bytes:
    return value.bytes


@dataclass(frozen=True)
class Receipt:
    status: int
    block_number: int
    block_hash: str


class ChainNode:
    """One EVM node and the certificate contract deployed on it, signing with one key."""

    def __init__(self, rpc_url: str, contract_address: str, private_key: str) -> None:
        self.rpc_url = rpc_url
        self._http = httpx.Client(timeout=30)
        self.web3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))
        self.account = Account.from_key(private_key)
        self.contract = self.web3.eth.contract(
            address=Web3.to_checksum_address(contract_address), abi=artifact()["abi"]
        )

    @property
    def signer(self) -> str:
        return str(self.account.address)

    def chain_id(self) -> int:
        return int(self.web3.eth.chain_id)

    def pending_nonce(self) -> int:
        """What the node counts for the signer, pending transactions included."""
        return int(self.web3.eth.get_transaction_count(self.account.address, "pending"))

    def call_data(self, kind: str, args: dict[str, Any], holder: str) -> str:
        """The contract call an intent asks for, ABI-encoded."""
        if kind == "verify_holder":
            return str(
                self.contract.encode_abi("setVerified", [Web3.to_checksum_address(holder), True])
            )
        amount = int(Decimal(args["amount"]) * MINOR_UNITS)
        return str(
            self.contract.encode_abi(
                "mint",
                [
                    Web3.to_checksum_address(holder),
                    uuid.UUID(args["campaign_id"]).bytes,
                    uuid.UUID(args["investment_id"]).bytes,
                    amount,
                    args["company"],
                ],
            )
        )

    def fees(self) -> tuple[int, int]:
        """(max fee, priority fee) per gas: three times the latest base fee plus the tip, so
        the stored transaction stays includable if the base fee rises before it is mined."""
        base_fee = int(self.web3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        tip = 1_000_000_000
        return 3 * base_fee + tip, tip

    def sign(
        self, kind: str, data: str, nonce: int, chain_id: int, fees: tuple[int, int]
    ) -> tuple[bytes, str]:
        """(raw signed transaction, its hash) for a call to the contract at `nonce`."""
        max_fee, tip = fees
        signed = self.account.sign_transaction(
            {
                "chainId": chain_id,
                "nonce": nonce,
                "to": self.contract.address,
                "data": data,
                "value": 0,
                "gas": GAS[kind],
                "maxPriorityFeePerGas": tip,
                "maxFeePerGas": max_fee,
                "type": 2,
            }
        )
        return bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex()

    def broadcast(self, raw: bytes, tx_hash: str) -> None:
        """Send the signed transaction; one the node already has is not an error."""
        try:
            self.web3.eth.send_raw_transaction(raw)
        except Exception as exc:
            if self.known(tx_hash):
                return
            message = str(exc).lower()
            if "already known" in message or "already imported" in message:
                return
            raise

    def broadcast_many(self, signed: list[tuple[bytes, str]]) -> list[str | None]:
        """Send many signed transactions in JSON-RPC batches; per transaction None (sent, or
        the node already has it) or the node's error."""
        answers = self._batch(
            [("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw, _hash in signed]
        )
        outcome: list[str | None] = []
        for (_raw, tx_hash), answer in zip(signed, answers, strict=True):
            error = answer.get("error")
            if error is None or self.known(tx_hash):
                outcome.append(None)
            else:
                outcome.append(str(error.get("message", error))[:500])
        return outcome

    def receipts_many(self, tx_hashes: list[str]) -> list[Receipt | None]:
        """The receipts of many transactions (None where not, or no longer, in a block)."""
        answers = self._batch([("eth_getTransactionReceipt", [h]) for h in tx_hashes])
        receipts: list[Receipt | None] = []
        for answer in answers:
            found = answer.get("result")
            receipts.append(
                None
                if not found
                else Receipt(
                    int(found["status"], 16), int(found["blockNumber"], 16), found["blockHash"]
                )
            )
        return receipts

    def canonical_hashes(self, numbers: list[int]) -> dict[int, str | None]:
        """The hash of the canonical block at each height now (None: beyond the head)."""
        answers = self._batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        return {
            number: (answer.get("result") or {}).get("hash")
            for number, answer in zip(numbers, answers, strict=True)
        }

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """JSON-RPC batch requests of at most `BATCH` calls, answers in call order."""
        answers: list[dict[str, Any]] = []
        for start in range(0, len(calls), BATCH):
            chunk = calls[start : start + BATCH]
            body = [
                {"jsonrpc": "2.0", "id": n, "method": method, "params": params}
                for n, (method, params) in enumerate(chunk)
            ]
            response = self._http.post(self.rpc_url, json=body)
            response.raise_for_status()
            by_id = {answer["id"]: answer for answer in response.json()}
            answers += [by_id[n] for n in range(len(chunk))]
        return answers

    def known(self, tx_hash: str) -> bool:
        try:
            self.web3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return False
        return True

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt, or None when the transaction is not (or no longer) in a block."""
        try:
            found = self.web3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        return Receipt(
            int(found["status"]), int(found["blockNumber"]), "0x" + bytes(found["blockHash"]).hex()
        )

    def canonical_hash(self, block_number: int) -> str | None:
        """The hash of the canonical block at `block_number` now (None: not there any more)."""
        try:
            block = self.web3.eth.get_block(block_number)
        except Exception:
            return None
        return "0x" + bytes(block["hash"]).hex()

    def head(self) -> int:
        return int(self.web3.eth.block_number)

    def owner_of(self, token_id: int) -> str | None:
        try:
            return str(self.contract.functions.ownerOf(token_id).call())
        except Exception:
            return None

    def certificate(self, token_id: int) -> tuple[bytes, int, int, str, int]:
        """(campaign id, amount in cents, voting power, company, issued at) on chain."""
        found = self.contract.functions.certificate(token_id).call()
        return bytes(found[0]), int(found[1]), int(found[2]), str(found[3]), int(found[4])


def deploy(rpc_url: str, private_key: str) -> str:
    """Deploy the contract with the signer as admin, issuer and compliance; its address."""
    web3 = Web3(Web3.HTTPProvider(rpc_url))
    account = Account.from_key(private_key)
    factory = web3.eth.contract(abi=artifact()["abi"], bytecode=artifact()["bytecode"])
    tx = factory.constructor(account.address).build_transaction(
        {
            "from": account.address,
            "nonce": web3.eth.get_transaction_count(account.address, "pending"),
            "gas": 5_000_000,
        }
    )
    signed = account.sign_transaction(tx)
    tx_hash = web3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = web3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
    return str(receipt["contractAddress"])
