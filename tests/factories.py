"""factory-boy factories for the foundation models. Names are invented."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from frontoffice.accounts.choices import Role
from frontoffice.accounts.models import StaffMember, User
from frontoffice.accounts.roles import sync_roles
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, Department, Organisation

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Firma Testowa {n}")
    slug = factory.Sequence(lambda n: f"firma-{n}")
    kind = BusinessKind.CLINIC
    default_language = "en"  # tests read English; the Polish tests switch explicitly
    require_mfa = False


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Oddział {n}")
    code = factory.Sequence(lambda n: f"odd{n}")
    city = "Łódź"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"Dział {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member; pass ``roles=[...]`` and ``branches=[...]``."""

    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def branches(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.branches.set(extracted)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            ensure_roles()
            obj.user.groups.set(Group.objects.filter(name__in=extracted))


def ensure_roles() -> None:
    """Recreate the role groups after a transactional test flushed the data migration's rows."""
    if Group.objects.filter(name__in=Role.values).count() < len(Role.values):
        ContentType.objects.clear_cache()
        sync_roles()
