"""A resource's answer through the shared serializer instance (api/serializers.py `shared_answer_serializer`) is the
view's serializer's answer, and a serializer whose answer could depend on the request gets none."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.conf import settings
from rest_framework import serializers

from .conftest import Client

ITEMS = [
    {"name": "Kettle", "price_cents": 4990},
    {
        "name": "Teapot",
        "description": "Cast iron",
        "price_cents": 0,
        "tags": ["kitchen", "tea"],
        "sku": "TEA-1",
        "status": "active",
        "available_at": "2026-03-01T09:30:00+01:00",
    },
]


def _package() -> str:
    return str(settings.ROOT_URLCONF).rsplit(".", 1)[0]  # the service's package (this file names none)


@pytest.mark.django_db
def test_the_shared_answer_is_the_view_serializers(http: Client) -> None:
    package = _package()
    shared_answer_serializer = importlib.import_module(f"{package}.api.serializers").shared_answer_serializer
    item_serializer = importlib.import_module(f"{package}.items.serializers").ItemSerializer
    item_model = importlib.import_module(f"{package}.items.models").Item
    shared = shared_answer_serializer(item_serializer)
    assert shared is not None  # the example resource's answer depends on the row alone
    for body in ITEMS:
        created = http.post("/api/v1/items", json=body)
        assert created.status_code == 201, created.text
        row = item_model.objects.get(pk=created.json()["id"])
        straightforward = item_serializer(row, context={"request": None}).data
        assert shared.to_representation(row) == straightforward
        assert json.dumps(shared.to_representation(row)) == json.dumps(straightforward)  # the same keys in order
        assert http.get(f"/api/v1/items/{row.pk}").json() == json.loads(json.dumps(straightforward, default=str))


class Shouting(serializers.CharField):
    def to_representation(self, value: Any) -> Any:
        return str(value).upper()


class WithRequest(serializers.Serializer[Any]):
    name = serializers.CharField()
    seen_by = serializers.SerializerMethodField()

    def get_seen_by(self, row: Any) -> str:
        return str(self.context["request"])


class OwnRepresentation(serializers.Serializer[Any]):
    name = serializers.CharField()

    def to_representation(self, instance: Any) -> Any:
        return {**super().to_representation(instance), "viewer": self.context.get("viewer")}


class OwnField(serializers.Serializer[Any]):
    name = Shouting()


class OwnFieldInAList(serializers.Serializer[Any]):
    names = serializers.ListField(child=Shouting())


class Plain(serializers.Serializer[Any]):
    name = serializers.CharField()
    names = serializers.ListField(child=serializers.CharField())


@pytest.mark.parametrize("serializer_class", [WithRequest, OwnRepresentation, OwnField, OwnFieldInAList])
def test_an_answer_that_could_depend_on_more_than_the_row_is_not_shared(serializer_class: type) -> None:
    shared_answer_serializer = importlib.import_module(f"{_package()}.api.serializers").shared_answer_serializer
    assert shared_answer_serializer(serializer_class) is None
    assert shared_answer_serializer(Plain) is not None
