"""Issue 12 §6: no control characters in names and titles; bounded dates, months, notice
days, minimum meetings and seat counts (halsam/validators.py). Validators only: nothing
changes in the database."""
import django.core.validators
import halsam.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("governance", "0006_edit_versions")]

    operations = [
        migrations.AlterField(
            model_name='body',
            name='ends_on',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='ends on'),
        ),
        migrations.AlterField(
            model_name='body',
            name='name',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='body',
            name='review_interval_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[halsam.validators.months_in_range], verbose_name='review interval (months)'),
        ),
        migrations.AlterField(
            model_name='body',
            name='short_name',
            field=models.CharField(blank=True, max_length=60, validators=[halsam.validators.no_control_characters], verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='historicalbody',
            name='ends_on',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='ends on'),
        ),
        migrations.AlterField(
            model_name='historicalbody',
            name='name',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalbody',
            name='review_interval_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[halsam.validators.months_in_range], verbose_name='review interval (months)'),
        ),
        migrations.AlterField(
            model_name='historicalbody',
            name='short_name',
            field=models.CharField(blank=True, max_length=60, validators=[halsam.validators.no_control_characters], verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='historicalmembership',
            name='end',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='historicalmembership',
            name='start',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='start'),
        ),
        migrations.AlterField(
            model_name='historicalofficeterm',
            name='end',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='historicalofficeterm',
            name='start',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='start'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='first_name',
            field=models.CharField(max_length=100, validators=[halsam.validators.no_control_characters], verbose_name='first name'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='last_name',
            field=models.CharField(max_length=100, validators=[halsam.validators.no_control_characters], verbose_name='last name'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='phone',
            field=models.CharField(blank=True, max_length=40, validators=[halsam.validators.no_control_characters], verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='title',
            field=models.CharField(blank=True, max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalprincipal',
            name='name',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalprincipal',
            name='short_name',
            field=models.CharField(blank=True, max_length=80, validators=[halsam.validators.no_control_characters], verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='historicalseat',
            name='title',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalsector',
            name='name',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalstrategicarea',
            name='name',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalstructure',
            name='name',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalstructure',
            name='region',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='region'),
        ),
        migrations.AlterField(
            model_name='historicalstructure',
            name='short_name',
            field=models.CharField(blank=True, max_length=60, validators=[halsam.validators.no_control_characters], verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='historicalstructure',
            name='termination_notice_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The agreement ends this many months after a notice of termination is handled.', null=True, validators=[halsam.validators.months_in_range], verbose_name='termination notice (months)'),
        ),
        migrations.AlterField(
            model_name='historicalstructure',
            name='valid_from',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='valid from'),
        ),
        migrations.AlterField(
            model_name='historicalstructure',
            name='valid_until',
            field=models.DateField(blank=True, help_text='Empty: until further notice.', null=True, validators=[halsam.validators.date_in_range], verbose_name='valid until'),
        ),
        migrations.AlterField(
            model_name='historicalterm',
            name='end',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='historicalterm',
            name='name',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalterm',
            name='start',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='start'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='end',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='start',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='start'),
        ),
        migrations.AlterField(
            model_name='officeterm',
            name='end',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='officeterm',
            name='start',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='start'),
        ),
        migrations.AlterField(
            model_name='person',
            name='first_name',
            field=models.CharField(max_length=100, validators=[halsam.validators.no_control_characters], verbose_name='first name'),
        ),
        migrations.AlterField(
            model_name='person',
            name='last_name',
            field=models.CharField(max_length=100, validators=[halsam.validators.no_control_characters], verbose_name='last name'),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone',
            field=models.CharField(blank=True, max_length=40, validators=[halsam.validators.no_control_characters], verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='person',
            name='title',
            field=models.CharField(blank=True, max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='principal',
            name='name',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='principal',
            name='short_name',
            field=models.CharField(blank=True, max_length=80, validators=[halsam.validators.no_control_characters], verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='seat',
            name='title',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='sector',
            name='name',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='strategicarea',
            name='name',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='structure',
            name='name',
            field=models.CharField(max_length=200, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='structure',
            name='region',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='region'),
        ),
        migrations.AlterField(
            model_name='structure',
            name='short_name',
            field=models.CharField(blank=True, max_length=60, validators=[halsam.validators.no_control_characters], verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='structure',
            name='termination_notice_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The agreement ends this many months after a notice of termination is handled.', null=True, validators=[halsam.validators.months_in_range], verbose_name='termination notice (months)'),
        ),
        migrations.AlterField(
            model_name='structure',
            name='valid_from',
            field=models.DateField(blank=True, null=True, validators=[halsam.validators.date_in_range], verbose_name='valid from'),
        ),
        migrations.AlterField(
            model_name='structure',
            name='valid_until',
            field=models.DateField(blank=True, help_text='Empty: until further notice.', null=True, validators=[halsam.validators.date_in_range], verbose_name='valid until'),
        ),
        migrations.AlterField(
            model_name='term',
            name='end',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='term',
            name='name',
            field=models.CharField(max_length=120, validators=[halsam.validators.no_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='term',
            name='start',
            field=models.DateField(validators=[halsam.validators.date_in_range], verbose_name='start'),
        ),
            migrations.AlterField(
            model_name='body',
            name='min_meetings_per_year',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(366)], verbose_name='minimum meetings per year'),
        ),
        migrations.AlterField(
            model_name='body',
            name='notice_days',
            field=models.PositiveSmallIntegerField(default=14, validators=[django.core.validators.MaxValueValidator(365)], verbose_name='notice lead time (days)'),
        ),
        migrations.AlterField(
            model_name='historicalbody',
            name='min_meetings_per_year',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(366)], verbose_name='minimum meetings per year'),
        ),
        migrations.AlterField(
            model_name='historicalbody',
            name='notice_days',
            field=models.PositiveSmallIntegerField(default=14, validators=[django.core.validators.MaxValueValidator(365)], verbose_name='notice lead time (days)'),
        ),
        migrations.AlterField(
            model_name='historicalseat',
            name='member_count',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MaxValueValidator(500)], verbose_name='members'),
        ),
        migrations.AlterField(
            model_name='historicalseat',
            name='substitute_count',
            field=models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(500)], verbose_name='substitutes'),
        ),
        migrations.AlterField(
            model_name='seat',
            name='member_count',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MaxValueValidator(500)], verbose_name='members'),
        ),
        migrations.AlterField(
            model_name='seat',
            name='substitute_count',
            field=models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(500)], verbose_name='substitutes'),
        ),
    ]
