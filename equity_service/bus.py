"""The equity service's bus process: relays its outbox, consumes what it subscribes to."""

from __future__ import annotations

from equity_service.config import get_settings
from fleetkit.bus import main
from fleetkit.probes import probe_subscriptions

SUBSCRIPTIONS = {**probe_subscriptions("equity")}

if __name__ == "__main__":
    main(get_settings(), SUBSCRIPTIONS)
