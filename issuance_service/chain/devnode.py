"""`make dev`'s chain: anvil from the `@foundry-rs/anvil` npm package (the binary it ships;
nothing is downloaded), its state kept in `.dev/anvil-state.json`, then the idempotent
contract deploy; it runs until anvil exits (Ctrl-C stops both)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

from web3 import Web3

from issuance_service.chain.deploy import deploy_once

ANVIL = Path(__file__).parent / "node_modules" / ".bin" / "anvil"


def main() -> int:
    """Start anvil, deploy the contract once it answers, then wait on anvil."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8545)
    parser.add_argument("--state", default=".dev/anvil-state.json")
    args = parser.parse_args()
    if not ANVIL.exists():
        raise SystemExit(f"{ANVIL} missing: run `npm ci` in {ANVIL.parents[2]}")
    node = subprocess.Popen(  # noqa: S603 - the package's own binary, fixed arguments
        [str(ANVIL), "--port", str(args.port), "--chain-id", "31337", "--silent",
         "--state", args.state, "--state-interval", "30"],
    )  # fmt: skip

    def stop(signum: int, _frame: object) -> None:
        # Ctrl-C or honcho's SIGTERM: stop anvil as Ctrl-C would (it writes its state).
        node.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    url = f"http://127.0.0.1:{args.port}"
    for _ in range(300):
        if node.poll() is None and Web3(Web3.HTTPProvider(url)).is_connected():
            break
        time.sleep(0.1)
    try:
        print(f"certificate contract at {deploy_once()}", file=sys.stderr, flush=True)
    except SystemExit as refused:
        # Not configured (or a mismatch): the node keeps running, the writer waits; said loudly.
        print(f"issuance-chain: contract not deployed: {refused}", file=sys.stderr, flush=True)
    return node.wait()


if __name__ == "__main__":
    sys.exit(main())
