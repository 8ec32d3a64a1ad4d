"""Grant the interactions app's permissions to the role groups."""

from django.db import migrations


def grant(apps, schema_editor):
    from frontoffice.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("interactions", "0001_initial")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
