"""One-shot deploy of the certificate contract: prints its address (the deploy job of
`make up`, and `make dev` by hand). Reads ISSUANCE_CHAIN_RPC_URL and
ISSUANCE_CHAIN_PRIVATE_KEY."""

from __future__ import annotations

from issuance_service.chain.contract import deploy
from issuance_service.config import get_settings

if __name__ == "__main__":
    settings = get_settings()
    if settings.chain_private_key is None:
        raise SystemExit("ISSUANCE_CHAIN_PRIVATE_KEY is required to deploy")
    print(deploy(settings.chain_rpc_url, settings.chain_private_key.get_secret_value()))
