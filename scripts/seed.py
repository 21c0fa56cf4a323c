"""Seed data for the dev fleet (`make seed`, and `make dev` before it starts the processes).

What is seeded today, each part safe to run again:
- the gateway's demo identity: tenant "FinFleet Demo" and one user per role,
  `demo-<role>@finfleet.example` (`portfolio_service.seed`);
- equity reference data: AAPL, MSFT and BRK.A listed (`equity_service.admin demo-instruments`);
  the simulated feed quotes them once the fleet runs.
Not yet: bonds, a property with leases, a campaign and portfolios with a year of history.
"""

from __future__ import annotations

import sys

from equity_service import admin as equity_admin
from portfolio_service import seed as portfolio_seed


def main() -> int:
    """Seed every part; the first failure stops the seed with its status."""
    for part in (portfolio_seed.main, lambda: equity_admin.main(["demo-instruments"])):
        status = part()
        if status:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
