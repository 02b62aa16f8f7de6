"""Roles: `User.roles`, the names of the roles (core/accounts/roles.py) an account has beside its own scopes, and
`RefreshToken.requested_scope`, what a sign-in asked for (None: nothing named, so each refresh carries what the user
holds then). Every account that exists gets no role and keeps exactly the scopes it had, and every refresh token its
sign-in's scopes as its ceiling: no token and no session changes."""

from typing import Any

from django.db import migrations, models
from django.db.models import F

from ..models import validate_roles


def keep_the_scopes_of_existing_sign_ins(apps: Any, schema_editor: Any) -> None:
    refresh_tokens = apps.get_model("users", "RefreshToken")
    refresh_tokens.objects.using(schema_editor.connection.alias).update(requested_scope=F("scope"))


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_accounts_by_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="roles",
            field=models.JSONField(
                blank=True, default=list, help_text="Its roles (core/accounts/roles.py)", validators=[validate_roles]
            ),
        ),
        migrations.AddField(
            model_name="refreshtoken",
            name="requested_scope",
            field=models.CharField(blank=True, max_length=1000, null=True),
        ),
        migrations.RunPython(keep_the_scopes_of_existing_sign_ins, migrations.RunPython.noop),
    ]
