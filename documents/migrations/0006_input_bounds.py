"""Issue 12 §6: no control characters in names and titles, and bounded dates and
months (halsam/validators.py). Validators only: nothing changes in the database."""
import halsam.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("documents", "0005_edit_versions")]

    operations = [
        migrations.AlterField(
            model_name='document',
            name='next_review_on',
            field=models.DateField(blank=True, db_index=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='next review'),
        ),
        migrations.AlterField(
            model_name='document',
            name='review_interval_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[halsam.validators.months_in_range], verbose_name='review interval (months)'),
        ),
        migrations.AlterField(
            model_name='document',
            name='termination_handled_on',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='notice of termination handled on'),
        ),
        migrations.AlterField(
            model_name='document',
            name='termination_notice_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[halsam.validators.months_in_range], verbose_name='notice period for termination (months)'),
        ),
        migrations.AlterField(
            model_name='document',
            name='title',
            field=models.CharField(max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='document',
            name='valid_from',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='valid from'),
        ),
        migrations.AlterField(
            model_name='document',
            name='valid_until',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='valid until'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='next_review_on',
            field=models.DateField(blank=True, db_index=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='next review'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='review_interval_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[halsam.validators.months_in_range], verbose_name='review interval (months)'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='termination_handled_on',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='notice of termination handled on'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='termination_notice_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[halsam.validators.months_in_range], verbose_name='notice period for termination (months)'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='title',
            field=models.CharField(max_length=300, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='valid_from',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='valid from'),
        ),
        migrations.AlterField(
            model_name='historicaldocument',
            name='valid_until',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='valid until'),
        ),
    ]
