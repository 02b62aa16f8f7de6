"""A file's states after its upload (core/storage/lifecycle.py): quarantined until its scan passes it, or rejected."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="file",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("quarantined", "Quarantined"),
                    ("ready", "Ready"),
                    ("rejected", "Rejected"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
    ]
