"""The migration that brings accounts by email (users/0003_accounts_by_email) keeps every existing account able to
sign in: each is marked verified, so an upgrade from a version without verification signs nobody out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside the test's transaction

BEFORE = [("users", "0002_normalise_emails")]
AFTER = [("users", "0003_accounts_by_email")]


def test_the_migration_marks_every_existing_account_verified() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_user = executor.loader.project_state(BEFORE).apps.get_model("users", "User")
        old_user.objects.create(email="existing@example.com", password="!unusable")  # noqa: S106 - no password
        executor.loader.build_graph()
        executor.migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert get_user_model().objects.get(email="existing@example.com").is_verified
