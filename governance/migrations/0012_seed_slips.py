# Issue 13 point 6 (helper E): a recommended meeting minimum (H14) as data, and the vice
# chair's label: "Vice chair" ("vice ordförande"); "1:e" only beside a 2:e (H12).
from django.db import migrations, models

HELP = ("The source only recommends the number (H14: “förslagsvis minst 4”): a shortfall is "
        "shown as advice, not as a breach.")
OFFICES = [("chair", "Chair"), ("vice_chair", "Vice chair"),
           ("second_vice_chair", "Second vice chair"), ("convener", "Convener")]


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0011_rotation_decisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="body",
            name="min_meetings_recommended",
            field=models.BooleanField(default=False, help_text=HELP,
                                      verbose_name="the minimum is a recommendation"),
        ),
        migrations.AddField(
            model_name="historicalbody",
            name="min_meetings_recommended",
            field=models.BooleanField(default=False, help_text=HELP,
                                      verbose_name="the minimum is a recommendation"),
        ),
        migrations.AlterField(
            model_name="historicalofficeterm",
            name="office",
            field=models.CharField(choices=OFFICES, max_length=20, verbose_name="office"),
        ),
        migrations.AlterField(
            model_name="officeterm",
            name="office",
            field=models.CharField(choices=OFFICES, max_length=20, verbose_name="office"),
        ),
    ]
