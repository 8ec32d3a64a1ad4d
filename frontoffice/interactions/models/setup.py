"""What an organisation sets up for its contacts: the topic list and the teams that answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Branch, Organisation, TimeStampedModel


class Topic(TimeStampedModel):
    """One entry of an organisation's controlled list of what contacts are about (FCR counts per topic)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    name_pl = models.CharField(_("name in Polish"), max_length=80, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="topic_name_unique")]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return self.name_pl if language.startswith("pl") and self.name_pl else self.name


class Team(TimeStampedModel):
    """A group of staff answering together (a branch's desk, the phone line, the e-mail team)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The branch whose staff see the team's work."),
    )
    name = models.CharField(_("name"), max_length=80)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="interaction_teams", blank=True
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def queue_names(self) -> list[str]:
        """The PBX queue names of the team's calls, in order (from the prefetch when there is one)."""
        return sorted(queue.name for queue in self.phone_queues.all())


class TeamPhoneQueue(models.Model):
    """A PBX queue whose calls are a team's: the calls' reporting events carry the team. One queue belongs to
    one team of the organisation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="phone_queues")
    name = models.CharField(_("queue"), max_length=80, help_text=_("As the phone system names it."))

    class Meta:
        verbose_name = _("phone queue of a team")
        verbose_name_plural = _("phone queues of teams")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_phone_queue_unique")]

    def __str__(self) -> str:
        return self.name
