# Issue 13 point 3 (H13): elections recorded with the meeting and minutes item that decided them.
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import halsam.validators


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0010_delivery_states"),
        ("governance", "0012_seed_slips"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Election',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_start', models.DateField(validators=[halsam.validators.date_in_range], verbose_name='first day of the period')),
                ('period_end', models.DateField(validators=[halsam.validators.date_in_range], verbose_name='last day of the period')),
                ('decided_on', models.DateField(validators=[halsam.validators.date_in_range], verbose_name='decided on')),
                ('note', models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='note')),
                ('agenda_item', models.OneToOneField(blank=True, help_text='The agenda item (minutes paragraph) where the election was decided.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='election', to='meetings.agendaitem', verbose_name='election item')),
                ('body', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='elections', to='governance.body', verbose_name='body')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='elections', to='meetings.meeting', verbose_name='meeting')),
            ],
            options={
                'verbose_name': 'election',
                'verbose_name_plural': 'elections',
                'ordering': ['body', '-period_start'],
            },
        ),
        migrations.CreateModel(
            name='ElectionTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('election', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='elected', to='meetings.election', verbose_name='election')),
                ('office_term', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='election_link', to='governance.officeterm', verbose_name='office term')),
            ],
            options={
                'verbose_name': 'elected office term',
                'verbose_name_plural': 'elected office terms',
            },
        ),
        migrations.AddField(
            model_name='election',
            name='terms',
            field=models.ManyToManyField(related_name='+', through='meetings.ElectionTerm', to='governance.officeterm', verbose_name='office terms'),
        ),
        migrations.CreateModel(
            name='HistoricalElection',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('period_start', models.DateField(validators=[halsam.validators.date_in_range], verbose_name='first day of the period')),
                ('period_end', models.DateField(validators=[halsam.validators.date_in_range], verbose_name='last day of the period')),
                ('decided_on', models.DateField(validators=[halsam.validators.date_in_range], verbose_name='decided on')),
                ('note', models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='note')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agenda_item', models.ForeignKey(blank=True, db_constraint=False, help_text='The agenda item (minutes paragraph) where the election was decided.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.agendaitem', verbose_name='election item')),
                ('body', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='governance.body', verbose_name='body')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meeting', verbose_name='meeting')),
            ],
            options={
                'verbose_name': 'historical election',
                'verbose_name_plural': 'historical elections',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalElectionTerm',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('election', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.election', verbose_name='election')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('office_term', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='governance.officeterm', verbose_name='office term')),
            ],
            options={
                'verbose_name': 'historical elected office term',
                'verbose_name_plural': 'historical elected office terms',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name='election',
            constraint=models.UniqueConstraint(fields=('body', 'period_start'), name='election_one_per_body_and_period'),
        ),
        migrations.AddConstraint(
            model_name='election',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='election_period_end_after_start'),
        ),
    ]
