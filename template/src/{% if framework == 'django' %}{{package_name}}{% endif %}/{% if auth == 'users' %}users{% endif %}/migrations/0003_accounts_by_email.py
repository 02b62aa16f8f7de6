"""Accounts by email: `User.is_verified` (every existing account is verified: the column's default fills their rows,
so nobody is signed out or locked out by the upgrade), and the tables of password resets and email verifications."""

import uuid
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _one_time_token_fields() -> list[tuple[str, Any]]:
    return [
        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
        ("email", models.CharField(max_length=254)),
        ("token_hash", models.CharField(blank=True, max_length=64, null=True, unique=True)),
        ("expires_at", models.BigIntegerField()),
        ("used_at", models.DateTimeField(blank=True, null=True)),
        ("created_at", models.DateTimeField(auto_now_add=True)),
        (
            "user",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_normalise_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_verified",
            field=models.BooleanField(
                default=True,
                help_text="Its owner proved the email is theirs (a sign-up cannot sign in until then)",
            ),
        ),
        migrations.CreateModel(
            name="PasswordReset",
            fields=_one_time_token_fields(),
            options={
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("used_at__isnull", True)),
                        fields=("user",),
                        name="users_passwordreset_one_unspent",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="EmailVerification",
            fields=[
                *_one_time_token_fields(),
                ("password", models.CharField(blank=True, max_length=128, null=True)),
                ("full_name", models.CharField(blank=True, default="", max_length=200)),
            ],
            options={
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("used_at__isnull", True)),
                        fields=("user",),
                        name="users_emailverification_one_unspent",
                    )
                ],
            },
        ),
    ]
