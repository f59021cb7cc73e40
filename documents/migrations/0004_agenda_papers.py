"""Agenda editor (issue 11, flow 5): register documents as papers of agenda items."""
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0003_review'),
        ('meetings', '0005_agenda'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalAgendaPaper',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('added_at', models.DateTimeField(blank=True, editable=False, verbose_name='added')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('added_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='added by')),
                ('document', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='documents.document', verbose_name='document')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('item', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.agendaitem', verbose_name='agenda item')),
            ],
            options={
                'verbose_name': 'historical agenda paper from the register',
                'verbose_name_plural': 'historical agenda papers from the register',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='AgendaPaper',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('added_at', models.DateTimeField(auto_now_add=True, verbose_name='added')),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='added by')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agenda_papers', to='documents.document', verbose_name='document')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='register_papers', to='meetings.agendaitem', verbose_name='agenda item')),
            ],
            options={
                'verbose_name': 'agenda paper from the register',
                'verbose_name_plural': 'agenda papers from the register',
                'ordering': ['item', 'id'],
                'constraints': [models.UniqueConstraint(fields=('item', 'document'), name='agendapaper_once')],
            },
        ),
    ]
