"""Minutes that reach their checkers (issue 11, flow 4): the § number of an agenda item,
the round with the checkers (the MINUTES_CHECK deliveries' sequence), the checker's
comment when sending back, and the minutes' own status wording (Justerat/Publicerat)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0002_digest_and_coordinate"),
        ("meetings", "0003_absence"),
    ]

    operations = [
        migrations.AddField(
            model_name='agendaitem',
            name='section',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='paragraph (§)'),
        ),
        migrations.AddField(
            model_name='historicalagendaitem',
            name='section',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='paragraph (§)'),
        ),
        migrations.AddField(
            model_name='historicalminutes',
            name='check_round',
            field=models.PositiveIntegerField(default=0, verbose_name='round with the checkers'),
        ),
        migrations.AddField(
            model_name='historicalminutes',
            name='return_comment',
            field=models.TextField(blank=True, verbose_name='comment from the checker'),
        ),
        migrations.AddField(
            model_name='historicalminutes',
            name='returned_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='governance.person', verbose_name='sent back by'),
        ),
        migrations.AddField(
            model_name='minutes',
            name='check_round',
            field=models.PositiveIntegerField(default=0, verbose_name='round with the checkers'),
        ),
        migrations.AddField(
            model_name='minutes',
            name='return_comment',
            field=models.TextField(blank=True, verbose_name='comment from the checker'),
        ),
        migrations.AddField(
            model_name='minutes',
            name='returned_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='governance.person', verbose_name='sent back by'),
        ),
        migrations.AlterField(
            model_name='historicalminutes',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('with_checkers', 'With the checkers'), ('approved', 'Approved'), ('published', 'Published')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='minutes',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('with_checkers', 'With the checkers'), ('approved', 'Approved'), ('published', 'Published')], default='draft', max_length=20, verbose_name='status'),
        ),
    ]
