"""`python -m bench.load [--seconds S] [--rates 5,10,20] [--p99-ms 500] ...`: the load bench
alone, with its settings as flags (`python -m bench load` reads them from the environment)."""

from __future__ import annotations

import argparse
import os
import sys

from bench.load.run import LoadSettings, run_load


def parse(argv: list[str]) -> LoadSettings:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "20"))
    )
    parser.add_argument("--rates", default=os.environ.get("BENCH_LOAD_RATES", "2,4,8,16,32,64"),
                        help="offered rates, requests per second, comma-separated")  # fmt: skip
    parser.add_argument("--p99-ms", type=float,
                        default=float(os.environ.get("BENCH_LOAD_P99_MS", "500")))  # fmt: skip
    errors = os.environ.get("BENCH_LOAD_MAX_ERROR_RATE", "0.01")
    parser.add_argument("--max-error-rate", type=float, default=float(errors))
    parser.add_argument("--clients", type=int,
                        default=int(os.environ.get("BENCH_LOAD_CLIENTS", "8")))  # fmt: skip
    parser.add_argument("--gateway", default=os.environ.get("BENCH_LOAD_GATEWAY") or None,
                        help="load this running fleet's gateway (http://127.0.0.1:8000) instead "
                             "of starting one; needs PORTFOLIO_JWT_PRIVATE_KEY")  # fmt: skip
    args = parser.parse_args(argv)
    rates = tuple(float(rate) for rate in args.rates.split(","))
    return LoadSettings(
        args.seconds, rates, args.p99_ms, args.max_error_rate, args.clients, args.gateway
    )


if __name__ == "__main__":
    sys.exit(run_load(parse(sys.argv[1:])))
