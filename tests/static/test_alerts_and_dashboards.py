"""The Prometheus alert rules (ops/prometheus/rules) and every Grafana dashboard
(ops/grafana/dashboards) against the code: each rule file has the shape Prometheus loads, each
expression parses as PromQL (promql-parser, the Rust parser's Python binding; `promtool check
rules` agrees, see docs/operations.md), and every metric and label they select is one the fleet
defines. The definitions are found by reading the source (prometheus_client constructors), not
from a list kept by hand, so a renamed metric breaks this test, not a dashboard at 3 a.m.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "ops" / "prometheus" / "rules"
DASHBOARDS_DIR = ROOT / "ops" / "grafana" / "dashboards"
SOURCE_DIRS = ["fleetkit", *sorted(p.name for p in ROOT.glob("*_service"))]
METRIC_KINDS = {
    "Counter": ("_total", "_created"),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_sum", "_count", "_created"),
    "Summary": ("", "_sum", "_count", "_created"),
    "GaugeMetricFamily": ("",),
    "CounterMetricFamily": ("_total",),
}
# Labels Prometheus adds to every scraped series (the scrape jobs add `component`).
TARGET_LABELS = frozenset({"job", "instance", "component", "__name__"})
SYNTHETIC: dict[str, frozenset[str]] = {
    "up": frozenset()
}  # written by Prometheus itself for every target
RULE_KEYS = frozenset({"alert", "expr", "for", "keep_firing_for", "labels", "annotations"})
DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")
SEVERITIES = frozenset({"page", "ticket"})


def _literal(node: ast.expr | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


@cache
def defined_metrics() -> dict[str, frozenset[str]]:
    """Every series name the code exposes, with the labels its metric declares."""
    series: dict[str, frozenset[str]] = dict(SYNTHETIC)
    for directory in SOURCE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "tests" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                kind = getattr(node.func, "id", getattr(node.func, "attr", None))
                if kind not in METRIC_KINDS or not node.args:
                    continue
                name = _literal(node.args[0])
                keywords = {k.arg: k.value for k in node.keywords}
                labels = _literal(node.args[2] if len(node.args) > 2 else None)
                labels = labels or _literal(keywords.get("labelnames") or keywords.get("labels"))
                if isinstance(name, str):
                    base = name.removesuffix("_total") if "Counter" in kind else name
                    for suffix in METRIC_KINDS[kind]:
                        extra = {"le"} if suffix == "_bucket" else set()
                        series[base + suffix] = frozenset(labels or ()) | extra
    return series


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yml"))


def rules() -> Iterator[dict[str, Any]]:
    for path in rule_files():
        for group in yaml.safe_load(path.read_text())["groups"]:
            yield from group["rules"]


def dashboard_queries() -> Iterator[tuple[str, str]]:
    def walk(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for panel in panels:
            yield panel
            yield from walk(panel.get("panels", []))

    for path in sorted(DASHBOARDS_DIR.glob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in walk(dashboard["panels"]):
            for target in panel.get("targets", []):
                if "expr" in target:
                    yield f"{path.name}: {panel['title']}", target["expr"]


def grafana_to_promql(expr: str) -> str:
    """A Grafana query with its variables replaced by what they stand for, so it parses."""
    return expr.replace("$__rate_interval", "1m").replace("$service", ".*")


def selected(expr: str) -> Iterator[tuple[str, set[str]]]:
    """(metric name, label names it is matched or grouped on) for each selector."""
    found: list[tuple[str, set[str]]] = []
    grouped: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append((node.name or "", {m.name for m in node.matchers.matchers}))
        elif isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            grouped.update(node.modifier.labels)

    promql_parser.walk(promql_parser.parse(expr), visit)
    yield from found
    # A grouping label must come from one of the expression's metrics.
    yield "", grouped


def check_selects_defined_metrics(expr: str, metrics: dict[str, frozenset[str]]) -> list[str]:
    problems = []
    names = []
    for name, labels in selected(expr):
        if name:
            names.append(name)
            if name not in metrics:
                problems.append(f"unknown metric {name}")
            else:
                problems += [f"{name} has no label {label}"
                             for label in labels - metrics[name] - TARGET_LABELS]  # fmt: skip
        else:
            known = set().union(*(metrics.get(n, set()) for n in names), TARGET_LABELS)
            problems += [f"grouping on unknown label {label}" for label in labels - known]
    return problems


def test_the_code_defines_the_metrics_this_test_relies_on() -> None:
    metrics = defined_metrics()
    assert metrics["http_requests_total"] == {"service", "method", "route", "status"}
    assert metrics["http_request_duration_seconds_bucket"] >= {"le", "route"}
    assert "celery_queue_length" in metrics  # a collector's GaugeMetricFamily
    assert "ledger_reconciliation_differences" in metrics


def test_a_misspelt_metric_or_label_is_caught() -> None:
    metrics = defined_metrics()
    assert check_selects_defined_metrics("rate(http_request_total[5m])", metrics)
    assert check_selects_defined_metrics('http_requests_total{statuss="500"}', metrics)
    assert check_selects_defined_metrics("sum by (tenant) (fleet_outbox_backlog)", metrics)
    assert not check_selects_defined_metrics("sum by (service) (fleet_outbox_backlog)", metrics)


def test_prometheus_loads_the_rule_files_compose_mounts() -> None:
    config = yaml.safe_load((ROOT / "ops" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    volumes = compose["services"]["prometheus"]["volumes"]
    assert "./ops/prometheus/rules:/etc/prometheus/rules:ro" in volumes
    assert rule_files()


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: p.name)
def test_rule_file_has_the_prometheus_shape(path: Path) -> None:
    document = yaml.safe_load(path.read_text())
    assert set(document) == {"groups"}
    names = [group["name"] for group in document["groups"]]
    assert len(names) == len(set(names)), "group names must be unique in a file"
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"}
        assert group["rules"]
        for rule in group["rules"]:
            assert set(rule) <= RULE_KEYS, rule
            assert {"alert", "expr"} <= set(rule), rule
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"]), rule["alert"]
            assert DURATION.match(rule.get("for", "0s")), rule.get("for")
            assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
            assert {"summary", "description", "runbook"} <= set(rule["annotations"])


def test_every_alert_name_is_unique_and_documented() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names))
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert [name for name in names if name not in operations] == []


@pytest.mark.parametrize("rule", list(rules()), ids=lambda rule: rule["alert"])
def test_alert_expression_parses_and_selects_defined_metrics(rule: dict[str, Any]) -> None:
    assert check_selects_defined_metrics(rule["expr"], defined_metrics()) == []


def test_the_alerts_cover_what_the_fleet_must_not_miss() -> None:
    watched = " ".join(rule["expr"] for rule in rules())
    for metric in ("http_requests_total", "http_request_duration_seconds_bucket",
                   "fleet_outbox_backlog", 'outcome="dead_lettered"',
                   "ledger_reconciliation_differences", "issuance_chain_reconciliation_differences",
                   "fleet_circuit_breaker_state"):  # fmt: skip
        assert metric in watched


@pytest.mark.parametrize(("where", "expr"), list(dashboard_queries()), ids=lambda v: str(v)[:60])
def test_dashboard_query_parses_and_selects_defined_metrics(where: str, expr: str) -> None:
    assert check_selects_defined_metrics(grafana_to_promql(expr), defined_metrics()) == [], where


def test_the_load_dashboard_shows_what_the_load_bench_is_judged_by() -> None:
    load = json.loads((DASHBOARDS_DIR / "load.json").read_text())
    queries = " ".join(t["expr"] for p in load["panels"] for t in p.get("targets", []))
    for needle in ("histogram_quantile(0.5,", "histogram_quantile(0.99,", "route",
                   'status=~"5.."', "fleet_outbox_backlog", "dead_lettered",
                   "fleet_circuit_breaker_state", "ledger_reconciliation_differences",
                   "issuance_chain_reconciliation_differences"):  # fmt: skip
        assert needle in queries


def test_the_alerts_unit_tests_feed_only_series_the_fleet_defines() -> None:
    """ops/prometheus/tests (promtool test rules, `make check-alerts`) must not test an alert
    on a series the code never writes."""
    metrics, problems = defined_metrics(), []
    for path in sorted((ROOT / "ops" / "prometheus" / "tests").glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        assert document["rule_files"] == ["../rules/fleet.yml"]
        for case in document["tests"]:
            for series in case["input_series"]:
                problems += check_selects_defined_metrics(series["series"], metrics)
    assert problems == []
