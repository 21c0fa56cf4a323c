"""What a set of NetworkPolicies lets through, worked out as Kubernetes defines it.

A connection from pod A to port P of pod B is allowed when A's egress allows it (no policy of
type Egress selects A, or a rule of one that does matches B and P) and B's ingress allows it
(the same, for Ingress). Only the fleet's namespace has policies; the operators', the ingress
controller's, Prometheus's and kube-dns's pods stand for their namespaces. Pods that
operators create are modelled with the labels the operators put on them: CloudNativePG
(`cnpg.io/cluster`, plus the Cluster's inheritedMetadata), spotahome redis-operator
(`redisfailovers.databases.spotahome.com/name`, `app.kubernetes.io/component` redis or
sentinel).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Manifest = dict[str, Any]

INTERNET_IP = "203.0.113.10"
CNPG_PORTS = {"postgresql": 5432, "status": 8000, "metrics": 9187}


@dataclass(frozen=True)
class Pod:
    """One pod (one per workload: its replicas are alike) and the ports it listens on."""

    name: str
    namespace: str | None  # None: outside the cluster
    labels: dict[str, str] = field(hash=False)
    ports: dict[str, tuple[int, str]] = field(hash=False)  # name -> (number, protocol)
    ip: str = field(default="10.244.0.10", hash=False)


# The namespaces around the fleet's, with a pod standing for each.
NEIGHBOURS = (
    Pod("ingress-nginx/controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress"}, {}),
    Pod("monitoring/prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, {}),
    Pod("cnpg-system/operator", "cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"}, {}),
    Pod("redis-operator/operator", "redis-operator", {"app": "redisoperator"}, {}),
    Pod(
        "kube-system/kube-dns",
        "kube-system",
        {"k8s-app": "kube-dns"},
        {"dns": (53, "UDP"), "dns-tcp": (53, "TCP")},
    ),
    Pod(
        "internet",
        None,
        {},
        {"https": (443, "TCP"), "kube-api": (6443, "TCP"), "rpc": (8545, "TCP")},
        ip=INTERNET_IP,
    ),
)


def fleet_pods(manifests: tuple[Manifest, ...], namespace: str) -> list[Pod]:
    """The pods the manifests make in `namespace`, directly or through an operator."""
    pods: list[Pod] = []
    for manifest in manifests:
        kind, name = manifest["kind"], manifest["metadata"]["name"]
        if kind in ("Deployment", "Job"):
            template = manifest["spec"]["template"]
            ports = {
                port.get("name", str(port["containerPort"])): (
                    port["containerPort"],
                    port.get("protocol", "TCP"),
                )
                for container in template["spec"]["containers"]
                for port in container.get("ports", [])
            }
            pods.append(Pod(name, namespace, dict(template["metadata"]["labels"]), ports))
        elif kind == "Cluster":
            inherited = manifest["spec"].get("inheritedMetadata", {}).get("labels", {})
            labels = {**inherited, "cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}
            ports = {port: (number, "TCP") for port, number in CNPG_PORTS.items()}
            pods.append(Pod(f"{name} (postgres)", namespace, labels, ports))
        elif kind == "RedisFailover":
            for component, prefix, port in (("redis", "rfr", 6379), ("sentinel", "rfs", 26379)):
                labels = {
                    "redisfailovers.databases.spotahome.com/name": name,
                    "app.kubernetes.io/component": component,
                    "app.kubernetes.io/name": name,
                    "app.kubernetes.io/part-of": "redis-failover",
                }
                pods.append(Pod(f"{prefix}-{name}", namespace, labels, {component: (port, "TCP")}))
    return pods


def selects(selector: Manifest | None, labels: dict[str, str]) -> bool:
    """A label selector (matchLabels and matchExpressions) against a pod's labels."""
    if selector is None:
        return True
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        matched = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not matched:
            return False
    return True


def _peer_matches(peer: Manifest, pod: Pod, namespace: str) -> bool:
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        ip = ipaddress.ip_address(pod.ip)
        return ip in ipaddress.ip_network(block["cidr"]) and not any(
            ip in ipaddress.ip_network(cidr) for cidr in block.get("except", [])
        )
    if pod.namespace is None:
        return False
    if "namespaceSelector" in peer:
        namespace_labels = {"kubernetes.io/metadata.name": pod.namespace}
        if not selects(peer["namespaceSelector"], namespace_labels):
            return False
    elif pod.namespace != namespace:
        return False
    return selects(peer.get("podSelector"), pod.labels)


def _port_matches(rule_ports: list[Manifest] | None, pod: Pod, port_name: str) -> bool:
    number, protocol = pod.ports[port_name]
    if not rule_ports:
        return True
    for rule_port in rule_ports:
        if rule_port.get("protocol", "TCP") != protocol:
            continue
        wanted = rule_port.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str):
            if wanted == port_name:
                return True
        elif wanted <= number <= (rule_port.get("endPort") or wanted):
            return True
    return False


def _relevant(
    policies: list[Manifest], namespace: str, pod: Pod, direction: str
) -> list[Manifest] | None:
    """The policies of type `direction` that select `pod`; None when none does (all open)."""
    if pod.namespace != namespace:
        return None  # no policy outside the fleet's namespace
    relevant = [
        policy
        for policy in policies
        if direction in policy["spec"].get("policyTypes", ["Ingress"])
        and selects(policy["spec"]["podSelector"], pod.labels)
    ]
    return relevant or None


def _lets_through(
    relevant: list[Manifest] | None,
    namespace: str,
    peer: Pod,
    port_pod: Pod,
    port_name: str,
    direction: str,
) -> bool:
    """Whether these policies (of one pod, one direction) let it talk to/hear from `peer`."""
    if relevant is None:
        return True
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    for policy in relevant:
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            if peers and not any(_peer_matches(p, peer, namespace) for p in peers):
                continue
            if _port_matches(rule.get("ports"), port_pod, port_name):
                return True
    return False


def allowed_paths(
    manifests: tuple[Manifest, ...], namespace: str
) -> Iterator[tuple[str, str, int]]:
    """Every (source pod, destination pod, destination port) the policies let through."""
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = [*fleet_pods(manifests, namespace), *NEIGHBOURS]
    egress = {pod.name: _relevant(policies, namespace, pod, "Egress") for pod in pods}
    ingress = {pod.name: _relevant(policies, namespace, pod, "Ingress") for pod in pods}
    for source in pods:
        for target in pods:
            for port_name, (number, _protocol) in target.ports.items():
                if _lets_through(
                    egress[source.name], namespace, target, target, port_name, "Egress"
                ) and _lets_through(
                    ingress[target.name], namespace, source, target, port_name, "Ingress"
                ):
                    yield source.name, target.name, number
