"""Items get a `status` (draft for every existing item) and an optional `available_at`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0003_owner_and_row_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="available_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="item",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("active", "Active"), ("archived", "Archived")],
                default="draft",
                max_length=16,
            ),
        ),
    ]
