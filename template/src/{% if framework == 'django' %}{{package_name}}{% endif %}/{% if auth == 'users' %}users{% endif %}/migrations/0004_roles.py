"""Roles: `User.roles`, the names of the roles (core/accounts/roles.py) an account has beside its own scopes. Every
account that exists gets none: it keeps exactly the scopes it had, so no token and no session changes."""

from django.db import migrations, models

from ..models import validate_roles


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_normalise_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="roles",
            field=models.JSONField(
                blank=True, default=list, help_text="Its roles (core/accounts/roles.py)", validators=[validate_roles]
            ),
        ),
    ]
