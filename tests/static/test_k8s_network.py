"""deploy/k8s: the network policies let through exactly the paths the fleet needs: those the
code calls (HTTP), each service's own stores and the bus, and the operators' and Prometheus's
own traffic (k8s_network.py works out what the policies allow)."""

from __future__ import annotations

import pytest

from fleetkit.settings import SERVICES
from tests.static.k8s_manifests import (
    BASES,
    NAMESPACES,
    OVERLAYS,
    PORTS,
    Manifest,
    build,
    chain_clients,
    fleet,
    http_callees,
    named,
)
from tests.static.k8s_network import allowed_paths, fleet_pods


def expected_paths(manifests: tuple[Manifest, ...], overlay: str) -> set[tuple[str, str, int]]:
    """The paths the fleet needs, from the code's calls and the stores' own traffic."""
    pods = fleet_pods(manifests, NAMESPACES[overlay])
    dns = "kube-system/kube-dns"
    paths = {(pod.name, dns, 53) for pod in pods}
    chain = ("anvil", 8545) if overlay == "dev" else ("internet", 443)
    for short, base in BASES.items():
        processes = [p for p in pods if p.labels.get("finfleet.io/service") == base]
        for pod in processes:
            paths |= {
                (pod.name, f"{base}-db (postgres)", 5432),
                (pod.name, f"rfr-{base}-redis", 6379),
                (pod.name, "rfr-bus-redis", 6379),
            }
            paths |= {(pod.name, BASES[c], PORTS[c]) for c in http_callees(short)}
            if short in chain_clients():
                paths.add((pod.name, *chain))
            paths |= {("monitoring/prometheus", pod.name, n) for n, _ in pod.ports.values()}
        database = f"{base}-db (postgres)"
        paths |= {(database, database, 5432), (database, database, 8000)}
        paths |= {
            ("cnpg-system/operator", database, 5432),
            ("cnpg-system/operator", database, 8000),
        }
        paths |= {("monitoring/prometheus", database, 9187)}
        paths |= {(database, "internet", 443), (database, "internet", 6443)}
    for failover in [f"{base}-redis" for base in BASES.values()] + ["bus-redis"]:
        members = {f"rfr-{failover}": 6379, f"rfs-{failover}": 26379}
        for target, port in members.items():
            paths |= {(source, target, port) for source in members}
            paths.add(("redis-operator/operator", target, port))
    paths.add(("ingress-nginx/controller", BASES["portfolio"], PORTS["portfolio"]))
    return paths


def test_the_code_calls_what_the_design_says() -> None:
    assert http_callees("portfolio") == set(SERVICES) - {"portfolio"}
    for short in ("equity", "fixed_income", "realestate", "issuance"):
        assert http_callees(short) == {"ledger"}
    assert http_callees("ledger") == set()
    assert chain_clients() == {"issuance"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_allow_exactly_the_intended_paths(overlay: str) -> None:
    manifests = fleet(overlay)
    fleet_names = {pod.name for pod in fleet_pods(manifests, NAMESPACES[overlay])}
    allowed = {
        path
        for path in allowed_paths(manifests, NAMESPACES[overlay])
        if path[0] in fleet_names or path[1] in fleet_names  # the others' policies are theirs
    }
    expected = expected_paths(manifests, overlay)
    assert not allowed - expected, f"allowed, not intended: {sorted(allowed - expected)}"
    assert not expected - allowed, f"intended, not allowed: {sorted(expected - allowed)}"


def test_a_widened_policy_is_caught() -> None:
    manifests = build("overlays/production")
    egress = named(manifests, "NetworkPolicy", "equity-egress")
    widened = {**egress, "spec": {**egress["spec"], "egress": [{}]}}  # anywhere, any port
    mutated = (*(m for m in manifests if m is not egress), widened)
    extra = set(allowed_paths(mutated, "finfleet")) - expected_paths(mutated, "production")
    assert ("equity", "internet", 443) in extra
    # Another service's database still refuses: its own policy admits its own processes only.
    assert ("equity", "ledger-db (postgres)", 5432) not in extra
