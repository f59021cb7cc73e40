"""Agenda editor (issue 11, flow 5): agenda items from the body's standard agenda."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0004_minutes"),
    ]

    operations = [
        migrations.AddField(
            model_name='agendaitem',
            name='formalia',
            field=models.CharField(blank=True, choices=[('', 'Not a formal item'), ('opening', 'Opening formalia'), ('closing', 'Closing formalia')], default='', help_text="Set on the items of the body's standard agenda: new items go before the closing ones.", max_length=10, verbose_name='formal item'),
        ),
        migrations.AddField(
            model_name='historicalagendaitem',
            name='formalia',
            field=models.CharField(blank=True, choices=[('', 'Not a formal item'), ('opening', 'Opening formalia'), ('closing', 'Closing formalia')], default='', help_text="Set on the items of the body's standard agenda: new items go before the closing ones.", max_length=10, verbose_name='formal item'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('formalia__in', ['', 'opening', 'closing'])), name='agendaitem_formalia_valid'),
        ),
    ]
