"""The audit trail of accounts: `audit_events`, append-only: a trigger makes the database refuse every UPDATE and
DELETE of its rows (core/accounts/audit.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from ...core.accounts.audit import APPEND_ONLY_SQL, DROP_APPEND_ONLY_SQL


def refuse_changes(apps: Any, schema_editor: Any) -> None:
    for statement in APPEND_ONLY_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def allow_changes(apps: Any, schema_editor: Any) -> None:
    for statement in DROP_APPEND_ONLY_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=40)),
                ("actor_id", models.UUIDField(null=True)),
                ("subject_id", models.UUIDField(null=True)),
                ("details", models.JSONField(default=dict)),
                ("client_address", models.CharField(max_length=64, null=True)),
                ("request_id", models.CharField(max_length=128, null=True)),
                ("occurred_at", models.DateTimeField()),
            ],
            options={
                "db_table": "audit_events",
                "ordering": ("-occurred_at", "-id"),
                "indexes": [
                    models.Index(fields=["occurred_at"], name="ix_audit_events_occurred_at"),
                    models.Index(fields=["subject_id", "occurred_at"], name="ix_audit_events_subject_id"),
                    models.Index(fields=["actor_id", "occurred_at"], name="ix_audit_events_actor_id"),
                ],
            },
        ),
        migrations.RunPython(refuse_changes, allow_changes),
    ]
