"""Structural schemas of the operators' custom resources, as far as deploy/k8s uses them.

kubernetes-validate bundles the schemas of Kubernetes' own kinds only, and the operators'
CustomResourceDefinitions are not available offline here, so these are written from the
operators' API references (CloudNativePG 1.2x `postgresql.cnpg.io/v1`, spotahome
redis-operator `databases.spotahome.com/v1`, prometheus-operator `monitoring.coreos.com/v1`).
They cover the fields the manifests set, refuse any other (a misspelt field fails), and are
no substitute for a server-side dry run against a cluster with the CRDs installed.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def closed(properties: Schema, required: tuple[str, ...] = ()) -> Schema:
    """An object with exactly these optional properties (and these required ones)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


STRING: Schema = {"type": "string", "minLength": 1}
QUANTITY: Schema = {"type": ["string", "integer"], "pattern": "^[0-9.]+(m|Ki|Mi|Gi|Ti)?$"}
LABELS: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
RESOURCES = closed(
    {
        "requests": closed({"cpu": QUANTITY, "memory": QUANTITY}),
        "limits": closed({"cpu": QUANTITY, "memory": QUANTITY}),
    },
    ("requests", "limits"),
)
SECRET_KEY = closed({"name": STRING, "key": STRING}, ("name", "key"))
METADATA = closed(
    {"name": STRING, "namespace": STRING, "labels": LABELS, "annotations": LABELS}, ("name",)
)


def resource(api_version: str, kind: str, spec: Schema) -> Schema:
    return closed(
        {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": METADATA,
            "spec": spec,
        },
        ("apiVersion", "kind", "metadata", "spec"),
    )


CNPG_CLUSTER = resource(
    "postgresql.cnpg.io/v1",
    "Cluster",
    closed(
        {
            "instances": {"type": "integer", "minimum": 1},
            "imageName": STRING,
            "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
            "inheritedMetadata": closed({"labels": LABELS, "annotations": LABELS}),
            "bootstrap": closed(
                {
                    "initdb": closed(
                        {
                            "database": STRING,
                            "owner": STRING,
                            "postInitApplicationSQL": {"type": "array", "items": STRING},
                        },
                        ("database", "owner"),
                    )
                },
                ("initdb",),
            ),
            "postgresql": closed({"parameters": LABELS}),
            "storage": closed({"size": QUANTITY, "storageClass": STRING}, ("size",)),
            "resources": RESOURCES,
            "backup": closed(
                {
                    "retentionPolicy": {"type": "string", "pattern": "^[1-9][0-9]*[dwm]$"},
                    "barmanObjectStore": closed(
                        {
                            "destinationPath": {"type": "string", "pattern": "^(s3|gs|https)://"},
                            "s3Credentials": closed(
                                {"accessKeyId": SECRET_KEY, "secretAccessKey": SECRET_KEY},
                                ("accessKeyId", "secretAccessKey"),
                            ),
                            "wal": closed({"compression": {"enum": ["gzip", "bzip2", "snappy"]}}),
                            "data": closed({"compression": {"enum": ["gzip", "bzip2", "snappy"]}}),
                        },
                        ("destinationPath",),
                    ),
                },
                ("barmanObjectStore",),
            ),
        },
        ("instances", "bootstrap", "storage"),
    ),
)

CNPG_SCHEDULED_BACKUP = resource(
    "postgresql.cnpg.io/v1",
    "ScheduledBackup",
    closed(
        {
            # Six fields, seconds first (robfig/cron as CloudNativePG parses it).
            "schedule": {"type": "string", "pattern": r"^(\S+ ){5}\S+$"},
            "backupOwnerReference": {"enum": ["none", "self", "cluster"]},
            "cluster": closed({"name": STRING}, ("name",)),
        },
        ("schedule", "cluster"),
    ),
)

REDIS_FAILOVER = resource(
    "databases.spotahome.com/v1",
    "RedisFailover",
    closed(
        {
            "sentinel": closed(
                {"replicas": {"type": "integer", "minimum": 3}, "resources": RESOURCES},
                ("replicas",),
            ),
            "redis": closed(
                {
                    "replicas": {"type": "integer", "minimum": 2},
                    "image": STRING,
                    "customConfig": {"type": "array", "items": STRING},
                    "resources": RESOURCES,
                    "storage": closed(
                        {
                            "keepAfterDeletion": {"type": "boolean"},
                            "persistentVolumeClaim": closed(
                                {"metadata": closed({"name": STRING}), "spec": {"type": "object"}},
                                ("spec",),
                            ),
                        }
                    ),
                },
                ("replicas",),
            ),
        },
        ("sentinel", "redis"),
    ),
)

SERVICE_MONITOR = resource(
    "monitoring.coreos.com/v1",
    "ServiceMonitor",
    closed(
        {
            "selector": closed({"matchLabels": LABELS}, ("matchLabels",)),
            "endpoints": {
                "type": "array",
                "minItems": 1,
                "items": closed(
                    {
                        "port": STRING,
                        "path": STRING,
                        "interval": {"type": "string", "pattern": "^[0-9]+[sm]$"},
                        "relabelings": {
                            "type": "array",
                            "items": closed(
                                {
                                    "action": {"enum": ["replace", "keep", "drop"]},
                                    "targetLabel": STRING,
                                    "replacement": STRING,
                                    "sourceLabels": {"type": "array", "items": STRING},
                                }
                            ),
                        },
                    },
                    ("port",),
                ),
            },
        },
        ("selector", "endpoints"),
    ),
)

SCHEMAS = {
    ("postgresql.cnpg.io/v1", "Cluster"): CNPG_CLUSTER,
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): CNPG_SCHEDULED_BACKUP,
    ("databases.spotahome.com/v1", "RedisFailover"): REDIS_FAILOVER,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
}
