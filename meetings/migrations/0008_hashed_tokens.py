"""Least privilege (issue 12 §4).

1. Calendar feed tokens are stored hashed: the column ``token`` becomes ``token_hash`` and
   every stored secret is replaced by its SHA-256 (hex) in place. A feed URL already in a
   member's calendar keeps working, because the feed looks a token up by the hash of the
   secret in the URL (``meetings.feeds.token_hash``, the same function as below).
   Reversing the migration keeps the hashes (a secret cannot be recovered): the old links
   stop working and members make new ones on Mina sidor.
2. The editor group (Redaktör) loses the model-wide ``view_*`` permissions on the
   governance and meetings models that earlier versions of ``ensure_role_groups`` gave it,
   so the editor's admin covers the documents app only. ``ensure_role_groups`` no longer
   grants them. Runs once; on a new installation the group does not exist yet.
"""
import hashlib

from django.db import migrations, models

EDITOR_GROUP = "Redaktör"


def _hash(secret: str) -> str:
    # Must equal meetings.feeds.token_hash (tests/meetings/test_token_hashing.py).
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_tokens(apps, schema_editor):
    CalendarToken = apps.get_model("meetings", "CalendarToken")
    rows = list(CalendarToken.objects.only("pk", "token_hash"))
    for row in rows:
        row.token_hash = _hash(row.token_hash)
    CalendarToken.objects.bulk_update(rows, ["token_hash"], batch_size=500)


def revoke_editor_views(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=EDITOR_GROUP).first()
    if group is None:
        return
    perms = group.permissions.filter(content_type__app_label__in=["governance", "meetings"],
                                     codename__startswith="view_")
    group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_edit_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RenameField(model_name="calendartoken", old_name="token",
                               new_name="token_hash"),
        migrations.AlterField(
            model_name="calendartoken", name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True,
                                   verbose_name="token hash"),
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RunPython(revoke_editor_views, migrations.RunPython.noop),
    ]
