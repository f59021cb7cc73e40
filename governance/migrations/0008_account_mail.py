# Login invitations and password resets, queued (issue 12 §8; halsam/account_mail.py).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0007_input_bounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.CreateModel(
            name="AccountMail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("invitation", "login invitation"),
                                                   ("password_reset", "password reset")],
                                          max_length=20, verbose_name="kind")),
                ("email", models.EmailField(max_length=254, verbose_name="address")),
                ("status", models.CharField(choices=[("pending", "waiting to be sent"),
                                                     ("retrying", "to be tried again"),
                                                     ("sent", "sent"), ("failed", "failed")],
                                            default="pending", max_length=20,
                                            verbose_name="status")),
                ("attempts", models.PositiveSmallIntegerField(default=0,
                                                              verbose_name="attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="queued")),
                ("attempted_at", models.DateTimeField(blank=True, null=True,
                                                      verbose_name="last attempt")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                ("requested_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+", to=settings.AUTH_USER_MODEL,
                    verbose_name="requested by")),
                ("user", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="account_mails",
                    to=settings.AUTH_USER_MODEL, verbose_name="login")),
            ],
            options={
                "verbose_name": "login e-mail",
                "verbose_name_plural": "login e-mails",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["status", "attempted_at"],
                                         name="accountmail_status_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(kind__in=["invitation", "password_reset"]),
                        name="accountmail_kind_valid"),
                    models.CheckConstraint(
                        condition=models.Q(status__in=["pending", "retrying", "sent", "failed"]),
                        name="accountmail_status_valid"),
                ],
            },
        ),
    ]
