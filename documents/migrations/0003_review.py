"""Placeholder owned by the helper working on: documents review and minutes in the register (flow 4b). Operations are added by hand
(copy them from `makemigrations documents --dry-run -v 3`, only your own models' changes)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0002_accessibility_statement_sections"),
    ]

    operations = []
