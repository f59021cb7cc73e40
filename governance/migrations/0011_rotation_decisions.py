# Issue 13 §5 (helper D): the rotation as the preset last loaded it, so that the loader
# keeps a rotation changed locally (admin, a recorded extension) instead of overwriting it.
from django.db import migrations, models


def remember_loaded(apps, schema_editor):
    """Existing bodies: take the stored rotation as the one last loaded (no local change
    is known before this migration)."""
    Body = apps.get_model("governance", "Body")
    for body in Body.objects.only("pk", "rotation").iterator():
        Body.objects.filter(pk=body.pk).update(rotation_preset=body.rotation)


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0010_eligibility"),
    ]

    operations = [
        migrations.AddField(
            model_name="body",
            name="rotation_preset",
            field=models.JSONField(blank=True, editable=False, null=True,
                                   verbose_name="rotation rule as last loaded from the preset"),
        ),
        migrations.AddField(
            model_name="historicalbody",
            name="rotation_preset",
            field=models.JSONField(blank=True, editable=False, null=True,
                                   verbose_name="rotation rule as last loaded from the preset"),
        ),
        migrations.RunPython(remember_loaded, migrations.RunPython.noop),
    ]
