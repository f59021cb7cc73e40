# Issue 13 point 2: who may hold a seat, as data (governance/eligibility.py).
from django.db import migrations, models

HELP = ("Who may hold the seat: the holders of which seats or offices of which bodies "
        "(from the preset).")


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0009_entry_into_force"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalseat",
            name="eligibility",
            field=models.JSONField(blank=True, default=dict, help_text=HELP,
                                   verbose_name="eligibility"),
        ),
        migrations.AddField(
            model_name="seat",
            name="eligibility",
            field=models.JSONField(blank=True, default=dict, help_text=HELP,
                                   verbose_name="eligibility"),
        ),
    ]
