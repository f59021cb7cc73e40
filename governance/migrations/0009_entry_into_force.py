# Issue 13 point 1: a body's own start (Body.starts_on), beside its structure's valid_from.
from django.db import migrations, models

import halsam.validators


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0008_account_mail"),
    ]

    operations = [
        migrations.AddField(
            model_name="body",
            name="starts_on",
            field=models.DateField(blank=True, help_text="Empty: from the structure's start.",
                                   null=True, validators=[halsam.validators.date_in_range],
                                   verbose_name="starts on"),
        ),
        migrations.AddField(
            model_name="historicalbody",
            name="starts_on",
            field=models.DateField(blank=True, help_text="Empty: from the structure's start.",
                                   null=True, validators=[halsam.validators.date_in_range],
                                   verbose_name="starts on"),
        ),
        migrations.AddConstraint(
            model_name="body",
            constraint=models.CheckConstraint(
                condition=models.Q(("starts_on__isnull", True), ("ends_on__isnull", True),
                                   ("ends_on__gte", models.F("starts_on")), _connector="OR"),
                name="body_ends_after_start",
                violation_error_message="The end date cannot be before the start date."),
        ),
    ]
