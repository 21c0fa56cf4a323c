"""`python -m bench [name ...]`: run the benchmarks (all by default)."""

from __future__ import annotations

import sys

from bench import equity, fixed_income, gateway, issuance, ledger, load, realestate

BENCHMARKS = {
    "ledger": ledger.main,
    "equity": equity.main,
    "fixed_income": fixed_income.main,
    "realestate": realestate.main,
    "issuance": issuance.main,
    "gateway": gateway.main,
    "load": load.main,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    return max(BENCHMARKS[name]() for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
