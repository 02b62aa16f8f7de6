"""Create the attachments table (files/models.py's `Attachment`): which rows of which resource each file is attached
to."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("files", "0002_file_states")]

    operations = [
        migrations.CreateModel(
            name="Attachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("resource", models.CharField(max_length=63)),
                ("record_id", models.UUIDField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="attachments", to="files.file"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("resource", "record_id", "file"), name="files_attachment_unique")
                ],
            },
        ),
    ]
