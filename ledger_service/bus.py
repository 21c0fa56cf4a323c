"""The ledger service's bus process: relays its outbox, consumes what it subscribes to."""

from __future__ import annotations

from fleetkit.bus import main
from fleetkit.probes import probe_subscriptions
from ledger_service.config import get_settings

SUBSCRIPTIONS = {**probe_subscriptions("ledger")}

if __name__ == "__main__":
    main(get_settings(), SUBSCRIPTIONS)
