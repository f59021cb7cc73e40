"""Agenda editor (issue 11, flow 5): a body's standard agenda (formalia).

Bodies that exist already get the default formalia, as a preset without the key would.
"""
from django.db import migrations, models

import governance.standard_agenda


def fill_defaults(apps, schema_editor):
    Body = apps.get_model("governance", "Body")
    defaults = governance.standard_agenda.DEFAULT_STANDARD_AGENDA
    Body.objects.filter(standard_agenda=[]).update(standard_agenda=defaults)


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0004_unaccent_extension"),
    ]

    operations = [
        migrations.AddField(
            model_name='body',
            name='standard_agenda',
            field=models.JSONField(blank=True, default=list, help_text='The items every new meeting starts with: opening items first, closing items (e.g. “Övriga frågor”) last; new items are added before the closing ones.', validators=[governance.standard_agenda.validate_standard_agenda], verbose_name='standard agenda (formalia)'),
        ),
        migrations.AddField(
            model_name='historicalbody',
            name='standard_agenda',
            field=models.JSONField(blank=True, default=list, help_text='The items every new meeting starts with: opening items first, closing items (e.g. “Övriga frågor”) last; new items are added before the closing ones.', validators=[governance.standard_agenda.validate_standard_agenda], verbose_name='standard agenda (formalia)'),
        ),
        migrations.RunPython(fill_defaults, migrations.RunPython.noop),
    ]
