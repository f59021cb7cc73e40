"""Absence (flow 3 of issue 11): when the secretary was told of an absence (exactly once).

Absences recorded before this migration count as told, so a deploy mails no one about
old absences."""
from django.db import migrations, models
from django.db.models import F


def mark_existing_told(apps, schema_editor):
    Absence = apps.get_model("meetings", "Absence")
    Absence.objects.filter(secretary_told_at__isnull=True).update(
        secretary_told_at=F("reported_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0002_delivery_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="absence",
            name="secretary_told_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="secretary told"),
        ),
        migrations.AddField(
            model_name="historicalabsence",
            name="secretary_told_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="secretary told"),
        ),
        migrations.RunPython(mark_existing_told, migrations.RunPython.noop),
    ]
