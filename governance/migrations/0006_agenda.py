"""Placeholder owned by the helper working on: agenda editor (flow 5). Operations are added by hand
(copy them from `makemigrations governance --dry-run -v 3`, only your own models' changes)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0005_replace"),
    ]

    operations = []
