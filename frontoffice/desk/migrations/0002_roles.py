"""Grant the desk app's permissions to the role groups."""

from django.db import migrations


def grant(apps, schema_editor):
    from frontoffice.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial"), ("clients", "0004_client_settings")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
