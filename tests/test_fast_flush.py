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
from tests.factories import OrganisationFactory, StaffFactory


def _filled_tables() -> set[str]:
    return set(fast_flush.tables_with_rows(connection, connection.introspection.django_table_names(only_existing=True)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the probe and the DELETEs are PostgreSQL's")
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


@pytest.mark.django_db(transaction=True)
def test_a_flush_keeps_content_types_so_the_ids_the_process_cached_stay_valid():
    cached = ContentType.objects.get_for_model(Organisation).pk
    OrganisationFactory()

    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)

    assert not Organisation.objects.exists()
    assert ContentType.objects.filter(pk=cached, model="organisation").exists()
