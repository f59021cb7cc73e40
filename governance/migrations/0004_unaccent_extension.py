"""PostgreSQL's ``unaccent`` extension for the admin's diacritic-insensitive searches.

A no-op on other databases (SQLite gets a Python function per connection instead; see
``governance/search.py``). ``unaccent`` is a trusted extension (PostgreSQL 13+), so the
database owner may create it without superuser rights.
"""
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0003_object_permissions"),
    ]

    operations = [
        UnaccentExtension(),
    ]
