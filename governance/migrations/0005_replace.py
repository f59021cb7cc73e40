"""Placeholder owned by the helper working on: replace a member (flow 1). Operations are added by hand
(copy them from `makemigrations governance --dry-run -v 3`, only your own models' changes)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0004_unaccent_extension"),
    ]

    operations = []
