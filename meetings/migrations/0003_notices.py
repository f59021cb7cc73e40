"""Placeholder owned by the helper working on: notices (flow 2). Operations are added by hand
(copy them from `makemigrations meetings --dry-run -v 3`, only your own models' changes)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0002_delivery_kinds"),
    ]

    operations = []
