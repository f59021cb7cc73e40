"""Issue 12 §6: no control characters in names and titles, and bounded dates and
months (halsam/validators.py). Validators only: nothing changes in the database."""
import halsam.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("meetings", "0008_hashed_tokens")]

    operations = [
        migrations.AlterField(
            model_name='agendaattachment',
            name='title',
            field=models.CharField(max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='agendaitem',
            name='presenter',
            field=models.CharField(blank=True, max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='presenter'),
        ),
        migrations.AlterField(
            model_name='agendaitem',
            name='title',
            field=models.CharField(max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalagendaattachment',
            name='title',
            field=models.CharField(max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalagendaitem',
            name='presenter',
            field=models.CharField(blank=True, max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='presenter'),
        ),
        migrations.AlterField(
            model_name='historicalagendaitem',
            name='title',
            field=models.CharField(max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='reason for cancelling'),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='end',
            field=models.DateTimeField(validators=[halsam.validators.date_in_range], verbose_name='ends'),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='place',
            field=models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='place'),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='start',
            field=models.DateTimeField(validators=[halsam.validators.date_in_range], verbose_name='starts'),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='title',
            field=models.CharField(blank=True, max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='reason for cancelling'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='end',
            field=models.DateTimeField(validators=[halsam.validators.date_in_range], verbose_name='ends'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='place',
            field=models.CharField(blank=True, max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='place'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='start',
            field=models.DateTimeField(validators=[halsam.validators.date_in_range], verbose_name='starts'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='title',
            field=models.CharField(blank=True, max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
    ]
