"""The audit trail names what each event is about (`subject_type`): `account` for every event before this one, the
resource's name for a change of an audited resource's row (core/record_changes.py).

SQLite adds a column with a default by copying the table into a new one, which has none of its triggers: they are
dropped first and made again after, so that the table stays append-only on every database."""

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
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(allow_changes, refuse_changes),
        migrations.AddField(
            model_name="auditevent",
            name="subject_type",
            field=models.CharField(default="account", max_length=63),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["subject_type", "occurred_at"], name="ix_audit_events_subject_type"),
        ),
        migrations.RunPython(refuse_changes, allow_changes),
    ]
