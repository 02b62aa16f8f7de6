"""JSON schemas of the two KEDA resources the worker's `keda` component renders (`keda.sh/v1alpha1` `ScaledObject`
and `TriggerAuthentication`), written here from KEDA 2's documented fields (keda.sh/docs: "Scaling Deployments" and
"Authentication"), the way the API server would judge them: every object closed, so a misspelt field
(`minReplicas` for `minReplicaCount`) is refused rather than silently pruned. Only the fields KEDA documents for
these kinds are listed; a field the rendered manifests start to use must be added here with its type."""

from __future__ import annotations

from typing import Any


def closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer", "minimum": 0}
STRING_MAP: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
METADATA = closed(
    {"name": STRING, "namespace": STRING, "labels": STRING_MAP, "annotations": STRING_MAP}, required=("name",)
)

SCALED_OBJECT = closed(
    {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": METADATA,
        "spec": closed(
            {
                "scaleTargetRef": closed(
                    {"apiVersion": STRING, "kind": STRING, "name": STRING, "envSourceContainerName": STRING},
                    required=("name",),
                ),
                "pollingInterval": INTEGER,
                "cooldownPeriod": INTEGER,
                "initialCooldownPeriod": INTEGER,
                "idleReplicaCount": INTEGER,
                "minReplicaCount": INTEGER,
                "maxReplicaCount": INTEGER,
                "fallback": closed({"failureThreshold": INTEGER, "replicas": INTEGER}),
                "advanced": {"type": "object"},
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": closed(
                        {
                            "type": STRING,
                            "name": STRING,
                            "metadata": STRING_MAP,
                            "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                            "useCachedMetrics": {"type": "boolean"},
                            "authenticationRef": closed({"name": STRING, "kind": STRING}, required=("name",)),
                        },
                        required=("type", "metadata"),
                    ),
                },
            },
            required=("scaleTargetRef", "triggers"),
        ),
    },
    required=("apiVersion", "kind", "metadata", "spec"),
)

TRIGGER_AUTHENTICATION = closed(
    {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "TriggerAuthentication"},
        "metadata": METADATA,
        "spec": closed(
            {
                "secretTargetRef": {
                    "type": "array",
                    "items": closed({"parameter": STRING, "name": STRING, "key": STRING}, ("parameter", "name", "key")),
                },
                "configMapTargetRef": {
                    "type": "array",
                    "items": closed({"parameter": STRING, "name": STRING, "key": STRING}, ("parameter", "name", "key")),
                },
                "env": {
                    "type": "array",
                    "items": closed(
                        {"parameter": STRING, "name": STRING, "containerName": STRING}, ("parameter", "name")
                    ),
                },
                "podIdentity": {"type": "object"},
            }
        ),
    },
    required=("apiVersion", "kind", "metadata", "spec"),
)

SCHEMAS: dict[str, dict[str, Any]] = {"scaledobject": SCALED_OBJECT, "triggerauthentication": TRIGGER_AUTHENTICATION}
