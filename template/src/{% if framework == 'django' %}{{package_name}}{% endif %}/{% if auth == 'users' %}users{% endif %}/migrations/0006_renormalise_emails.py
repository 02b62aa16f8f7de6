"""Store every account's email in the form the email rule gives it now (core/accounts/emails.py): the local part
lower-cased, no longer case-folded (`große@…` stays `große@…`; a stored `grosse@…` stays as it is), and the domain in
IDNA 2008's U-labels (`x@xn--bcher-kva.de` is `x@bücher.de`). Emails that become one address stop the migration,
which changes nothing and names them (`migrate` exits 1): accounts are never merged silently."""

from typing import Any

from django.db import migrations

from ...core.accounts.emails import renormalised


def renormalise_emails(apps: Any, schema_editor: Any) -> None:
    users = apps.get_model("users", "User")
    stored = list(users.objects.using(schema_editor.connection.alias).values_list("pk", "email"))
    for pk, email in renormalised(stored):
        # update(), not save(): the historical model's save() does not normalise, and nothing else may change.
        users.objects.using(schema_editor.connection.alias).filter(pk=pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0005_email_change_notices"),
    ]

    operations = [
        migrations.RunPython(renormalise_emails, migrations.RunPython.noop),
    ]
