"""Store invitation secrets as SHA-256 digests instead of in clear text.

Existing links keep working: their clear-text secret is hashed into the new column. Going back
cannot recover the secrets from the digests, so every pending invitation is revoked then and
given a fresh random value it was never sent with; collectives have to invite again.
"""

import hashlib
import secrets

from django.db import migrations, models
from django.utils import timezone


def hash_secrets(apps, schema_editor):
    Invitation = apps.get_model("collectives", "Invitation")
    for invitation in Invitation.objects.only("pk", "token").iterator():
        digest = hashlib.sha256(invitation.token.encode()).hexdigest()
        Invitation.objects.filter(pk=invitation.pk).update(digest=digest)


def revoke_for_lack_of_secrets(apps, schema_editor):
    Invitation = apps.get_model("collectives", "Invitation")
    Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    for pk in Invitation.objects.values_list("pk", flat=True).iterator():
        Invitation.objects.filter(pk=pk).update(token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [("collectives", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="digest",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        # Nullable and without a default, so that going back can re-add the column.
        migrations.AlterField(
            model_name="invitation",
            name="token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(hash_secrets, revoke_for_lack_of_secrets),
        migrations.RemoveField(model_name="invitation", name="token"),
        migrations.AlterField(
            model_name="invitation",
            name="digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
