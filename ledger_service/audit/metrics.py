"""The ledger's self-check gauges, set by the nightly jobs and scraped from the worker."""

from __future__ import annotations

from prometheus_client import Gauge

# "mostrecent": with several worker processes, the value of the latest run wins, even if the
# process that set it has since been recycled.
AUDIT_CHAIN_BROKEN = Gauge(
    "ledger_audit_chain_broken",
    "1 when the last verification of the audit chain failed, else 0.",
    multiprocess_mode="mostrecent",
)
RECONCILIATION_DIFFERENCES = Gauge(
    "ledger_reconciliation_differences",
    "Accounts whose totals disagreed with their lines at the last reconciliation.",
    multiprocess_mode="mostrecent",
)
