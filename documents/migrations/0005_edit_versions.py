"""Issue 12 §1: the edit forms' version counter (halsam/concurrency.py)."""
from django.db import migrations, models


def version_field():
    """One definition for every row and its history."""
    return models.PositiveIntegerField(
        default=0, editable=False, verbose_name="version",
        help_text="Raised on every save; edit forms check it so that nobody overwrites "
                  "another person's change.")


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_agenda_papers")]
    operations = [
        migrations.AddField(
            model_name="document",
            name="version",
            field=version_field(),
        ),
        migrations.AddField(
            model_name="historicaldocument",
            name="version",
            field=version_field(),
        ),
        # The checklist's own field "version" is its document version: the counter is
        # named edit_version there (halsam.concurrency.EditVersionedModel).
        migrations.AddField(
            model_name="accessibilitycheck",
            name="edit_version",
            field=version_field(),
        ),
        migrations.AddField(
            model_name="historicalaccessibilitycheck",
            name="edit_version",
            field=version_field(),
        ),
    ]
