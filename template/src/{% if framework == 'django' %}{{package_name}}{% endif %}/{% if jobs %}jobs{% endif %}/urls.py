"""The operation routes and the example that starts one, under /api/v1/ (urls.py includes them)."""

from __future__ import annotations

from django.urls import path

from .views import ItemExportViewSet, OperationViewSet

urlpatterns = [
    path("operations", OperationViewSet.as_view({"get": "list"}), name="operations-list"),
    path("operations/<str:operation_id>", OperationViewSet.as_view({"get": "retrieve"}), name="operations-detail"),
    path("items/<str:item_id>/exports", ItemExportViewSet.as_view({"post": "export"}), name="items-exports"),
]
