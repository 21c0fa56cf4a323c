"""The chain's self-check gauge, set by reconciliation and scraped from the worker."""

from __future__ import annotations

from prometheus_client import Gauge

# "mostrecent": with several worker processes, the value of the latest run wins.
CHAIN_RECONCILIATION_DIFFERENCES = Gauge(
    "issuance_chain_reconciliation_differences",
    "Differences between the chain and the database at the last reconciliation.",
    multiprocess_mode="mostrecent",
)
