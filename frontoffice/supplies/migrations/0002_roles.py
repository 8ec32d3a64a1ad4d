"""Grant the supplies app's permissions to the role groups."""

from django.db import migrations


def grant(apps, schema_editor):
    from frontoffice.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial"), ("accounts", "0003_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
