"""Document versions under review reach their approvers (issue 11): one ReviewRequest
per version, claimed once, so each approver is e-mailed exactly once."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0002_accessibility_statement_sections"),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipients', models.PositiveIntegerField(default=0, verbose_name='recipients')),
                ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent')),
                ('version', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review_request', to='documents.documentversion', verbose_name='version')),
            ],
            options={
                'verbose_name': 'review request',
                'verbose_name_plural': 'review requests',
            },
        ),
    ]
