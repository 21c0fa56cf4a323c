"""Print a user access token for development: `python -m portfolio_service.dev_token`.

Sign-in arrives with the identity issue; until then operators and tests use this. It refuses to
run when FLEET_ENV=production.
"""

from __future__ import annotations

import argparse
import sys

from portfolio_service.config import get_settings
from portfolio_service.identity.tokens import PUBLIC_AUDIENCE, access_token_minter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--tenant", default="dev-tenant")
    parser.add_argument("--roles", default="owner", help="comma-separated roles")
    args = parser.parse_args(argv)
    settings = get_settings()
    seed = settings.signing_key()
    if settings.is_production or seed is None:
        print(
            "dev tokens are not available: production mode or no PORTFOLIO_JWT_PRIVATE_KEY",
            file=sys.stderr,
        )
        return 2
    minter = access_token_minter(settings.service_name, seed)
    roles = {role.strip() for role in args.roles.split(",") if role.strip()}
    print(minter.mint(PUBLIC_AUDIENCE, subject=args.subject, tenant_id=args.tenant, roles=roles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
