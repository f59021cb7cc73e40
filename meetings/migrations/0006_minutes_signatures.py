"""Every chosen checker approves the minutes (issue 11, flow 4): one signature per
checker and round. Minutes approved before this migration get their one approver's
signature, so the PDF and the pages name who approved them."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def signatures_of_approved(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    MinutesSignature = apps.get_model("meetings", "MinutesSignature")
    MinutesSignature.objects.bulk_create([
        MinutesSignature(minutes_id=m.pk, person_id=m.approved_by_id, round=m.check_round,
                         signed_at=m.approved_at)
        for m in Minutes.objects.filter(status__in=["approved", "published"],
                                        approved_by__isnull=False, approved_at__isnull=False)
    ])


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0005_agenda'),
        ('meetings', '0005_agenda'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalMinutesSignature',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('round', models.PositiveIntegerField(verbose_name='round with the checkers')),
                ('signed_at', models.DateTimeField(verbose_name='approved on')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('minutes', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.minutes', verbose_name='minutes')),
                ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='governance.person', verbose_name='minute checker')),
            ],
            options={
                'verbose_name': 'historical approval of the minutes',
                'verbose_name_plural': 'historical approvals of the minutes',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='MinutesSignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('round', models.PositiveIntegerField(verbose_name='round with the checkers')),
                ('signed_at', models.DateTimeField(verbose_name='approved on')),
                ('minutes', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signatures', to='meetings.minutes', verbose_name='minutes')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='minutes_signatures', to='governance.person', verbose_name='minute checker')),
            ],
            options={
                'verbose_name': 'approval of the minutes',
                'verbose_name_plural': 'approvals of the minutes',
                'ordering': ['minutes', 'round', 'signed_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('minutes', 'person', 'round'), name='minutessignature_once_per_round')],
            },
        ),
        migrations.RunPython(signatures_of_approved, migrations.RunPython.noop),
    ]
