# Issue 12 §7: a delivery overtaken by a newer version or a cancellation is "superseded"
# (never sent); "taken_at" is the lease a worker commits before it talks to the mail
# server, so a claim stranded by a dead worker is found by the next sweep.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meetings", "0009_input_bounds")]
    operations = [
        migrations.RemoveConstraint(
            model_name="noticedelivery",
            name="delivery_status_valid",
        ),
        migrations.AddField(
            model_name="noticedelivery",
            name="taken_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="taken by a worker"),
        ),
        migrations.AlterField(
            model_name="noticedelivery",
            name="status",
            field=models.CharField(
                choices=[("claimed", "Being sent"), ("sent", "Sent"), ("retrying", "Retrying"),
                         ("failed", "Failed"), ("superseded", "Superseded")],
                default="claimed", max_length=20, verbose_name="status"),
        ),
        migrations.AddConstraint(
            model_name="noticedelivery",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in",
                                    ["claimed", "sent", "retrying", "failed", "superseded"])),
                name="delivery_status_valid"),
        ),
    ]
