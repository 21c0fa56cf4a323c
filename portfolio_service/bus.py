"""The portfolio service's bus process: relays its outbox, consumes what it subscribes to."""

from __future__ import annotations

from fleetkit.bus import main
from fleetkit.probes import probe_subscriptions
from portfolio_service.config import get_settings
from portfolio_service.holdings.events import SUBSCRIPTIONS as HOLDINGS

PROBES = probe_subscriptions("portfolio")
SUBSCRIPTIONS = {
    producer: {**PROBES.get(producer, {}), **HOLDINGS.get(producer, {})}
    for producer in PROBES.keys() | HOLDINGS.keys()
}

if __name__ == "__main__":
    main(get_settings(), SUBSCRIPTIONS)
