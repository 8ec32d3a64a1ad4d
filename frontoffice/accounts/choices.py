from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles a staff member may hold; each is a Django group of the same name."""

    CLERK = "clerk", _("Clerk")
    AGENT = "agent", _("Customer service agent")
    SECURITY = "security", _("Security staff")
    MANAGER = "manager", _("Front office manager")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Administrator")


class EmployerKind(models.TextChoices):
    IN_HOUSE = "in_house", _("In-house")
    CONTRACTOR = "contractor", _("Contractor company")


class QualificationKind(models.TextChoices):
    SKILL = "skill", _("Skill")
    LICENCE = "licence", _("Licence")
