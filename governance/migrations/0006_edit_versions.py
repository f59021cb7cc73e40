"""Issue 12 §1: the edit forms' version counter (halsam/concurrency.py)."""
from django.db import migrations, models


def version_field():
    """One definition for every row and its history."""
    return models.PositiveIntegerField(
        default=0, editable=False, verbose_name="version",
        help_text="Raised on every save; edit forms check it so that nobody overwrites "
                  "another person's change.")


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_agenda")]
    operations = [
        migrations.AddField(
            model_name="membership",
            name="version",
            field=version_field(),
        ),
        migrations.AddField(
            model_name="historicalmembership",
            name="version",
            field=version_field(),
        ),
        migrations.AddField(
            model_name="officeterm",
            name="version",
            field=version_field(),
        ),
        migrations.AddField(
            model_name="historicalofficeterm",
            name="version",
            field=version_field(),
        ),
    ]
