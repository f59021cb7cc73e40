# Issue 13 §5 (helper D): rotation extensions (V3, V8) recorded as decisions of a meeting.
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import halsam.validators


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0011_rotation_decisions"),
        ("meetings", "0011_elections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalRotationExtension",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("period_start", models.PositiveSmallIntegerField(verbose_name="first year of the extended period")),
                ("years", models.PositiveSmallIntegerField(verbose_name="extra years")),
                ("decided_on", models.DateField(validators=[halsam.validators.date_in_range], verbose_name="decided on")),
                ("unanimous", models.BooleanField(default=False, verbose_name="unanimous decision")),
                ("note", models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                ("body", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="governance.body", verbose_name="body")),
                ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("meeting", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="meetings.meeting", verbose_name="decided at the meeting")),
            ],
            options={
                "verbose_name": "historical rotation extension",
                "verbose_name_plural": "historical rotation extensions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="RotationExtension",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period_start", models.PositiveSmallIntegerField(verbose_name="first year of the extended period")),
                ("years", models.PositiveSmallIntegerField(verbose_name="extra years")),
                ("decided_on", models.DateField(validators=[halsam.validators.date_in_range], verbose_name="decided on")),
                ("unanimous", models.BooleanField(default=False, verbose_name="unanimous decision")),
                ("note", models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name="note")),
                ("body", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="rotation_extensions", to="governance.body", verbose_name="body")),
                ("meeting", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="rotation_extensions", to="meetings.meeting", verbose_name="decided at the meeting")),
            ],
            options={
                "verbose_name": "rotation extension",
                "verbose_name_plural": "rotation extensions",
                "ordering": ["body", "period_start"],
                "constraints": [
                    models.UniqueConstraint(fields=("body", "period_start"), name="rotationextension_one_per_period"),
                    models.CheckConstraint(condition=models.Q(("years__gte", 1), ("years__lte", 10)), name="rotationextension_years_positive"),
                ],
            },
        ),
    ]
