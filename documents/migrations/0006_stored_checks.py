# Placeholder: filled by the helper that owns it (session 5, issue 12).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_edit_versions")]
    operations = []
