"""The test-only flush (tests/fast_flush.py) empties every table that holds rows, triggers included."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from frontoffice.clients.models import Client
from frontoffice.clients.services import ClientData, client_create
from frontoffice.core.models import Organisation
from tests import fast_flush
from tests.factories import StaffFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast flush is PostgreSQL's")


def _filled_tables() -> set[str]:
    return set(fast_flush.tables_with_rows(connection, connection.introspection.django_table_names(only_existing=True)))


@pytest.mark.django_db(transaction=True)
def test_flush_empties_every_table_with_rows_and_keeps_content_types():
    staff = StaffFactory()
    client_create(
        organisation=staff.organisation, actor=staff.user, data=ClientData(given_name="Zofia", family_name="Żółwińska")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clients_client_word")
        assert cursor.fetchone()[0] > 0
    content_types = ContentType.objects.count()
    assert {"accounts_user", "clients_client", "core_organisation"} <= _filled_tables()

    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)

    assert not Client.objects.exists()
    assert not Organisation.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clients_client_word")
        assert cursor.fetchone()[0] == 0
    assert ContentType.objects.count() == content_types
    assert Permission.objects.exists()
    # Left: content types, permissions and what post_migrate writes again (the roles).
    assert _filled_tables() <= {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
