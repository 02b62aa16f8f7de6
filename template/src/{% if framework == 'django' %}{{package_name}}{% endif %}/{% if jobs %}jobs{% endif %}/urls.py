"""The operation routes, under /api/v1/ (urls.py includes them)."""

from __future__ import annotations

from django.urls import path

from .views import OperationViewSet

urlpatterns = [
    path("operations", OperationViewSet.as_view({"get": "list"}), name="operations-list"),
    path("operations/<str:operation_id>", OperationViewSet.as_view({"get": "retrieve"}), name="operations-detail"),
]
