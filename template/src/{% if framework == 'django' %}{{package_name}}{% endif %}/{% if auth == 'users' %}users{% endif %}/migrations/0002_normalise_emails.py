"""Store every account's email in its normalised form (core/accounts/emails.py: NFKC, case-folded), the form the
unique constraints on `email` now hold for, and check it with that rule alone. Emails that become one address stop
the migration, which changes nothing and names them (`migrate` exits 1): accounts are never merged silently."""

from typing import Any

from django.db import migrations

from ...core.accounts.emails import renormalised
from ..models import EmailAddressField


def normalise_emails(apps: Any, schema_editor: Any) -> None:
    users = apps.get_model("users", "User")
    stored = list(users.objects.using(schema_editor.connection.alias).values_list("pk", "email"))
    for pk, email in renormalised(stored):
        # update(), not save(): the historical model's save() does not normalise, and nothing else may change.
        users.objects.using(schema_editor.connection.alias).filter(pk=pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email",
            field=EmailAddressField(help_text="The login; unique whatever its case", max_length=254, unique=True),
        ),
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
    ]
