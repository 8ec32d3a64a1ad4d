"""Every write of the feedback app: surveys and their versions, rules, invitations, answers, SMS replies.

The rules of who is asked (docs/feedback.md):

- **sampling** is deterministic per client and rule (a hash), so a client is always in or always out of
  one rule's sample, and a test can say which;
- **suppression**: at most one invitation per client every ``suppression_days``, whichever survey;
- **consent**: an e-mail invitation needs the client's e-mail-reminders consent, an SMS one the SMS-reminders
  consent (read through the clients app); a client flagged do-not-contact, deceased, merged away or erased
  is never invited;
- one invitation per survey per source record (a visit, a case) at most.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.clients.choices import ConsentPurpose, ContactKind
from frontoffice.clients.models import Client
from frontoffice.clients.normalise import normalise_phone
from frontoffice.clients.services import has_active_consent
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.notifications import email_queue, sms_queue

from . import hooks, links, reporting
from .choices import OPEN_STATUSES, SCALES, InvitationStatus, InviteChannel, QuestionKind, SurveyKind, Trigger
from .models import Answer, InboundSms, Invitation, InvitationRule, Question, Response, Survey, SurveyVersion

# The wording every CSAT, NPS, CES and complaint survey starts with (both languages are data, not UI).
DEFAULT_QUESTIONS: dict[str, tuple[str, str]] = {
    SurveyKind.CSAT: ("Jak bardzo jest Pan/Pani zadowolony/a z obsługi?", "How satisfied were you with our service?"),
    SurveyKind.NPS: (
        "Jak bardzo prawdopodobne jest, że poleci nas Pan/Pani znajomym?",
        "How likely are you to recommend us to a friend or colleague?",
    ),
    SurveyKind.CES: ("Załatwienie sprawy było łatwe.", "The company made it easy for me to handle my issue."),
    SurveyKind.COMPLAINT: (
        "Jak bardzo jest Pan/Pani zadowolony/a ze sposobu rozpatrzenia reklamacji?",
        "How satisfied are you with how we handled your complaint?",
    ),
}
COMMENT_QUESTION = ("Czy chce Pan/Pani coś dodać?", "Would you like to tell us more?")
CONSENT_FOR: dict[str, str] = {
    InviteChannel.EMAIL: ConsentPurpose.EMAIL_REMINDERS,
    InviteChannel.SMS: ConsentPurpose.SMS_REMINDERS,
}
RELATIONSHIP_BATCH = 500  # clients invited per periodic run and rule, so one sweep stays short
SMS_COMMENT_WINDOW = timedelta(days=2)


# --- surveys and versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionData:
    kind: str
    text_pl: str
    text_en: str = ""
    scale_min: int | None = None
    scale_max: int | None = None
    choices_pl: tuple[str, ...] = ()
    choices_en: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class SurveyData:
    name: str
    kind: str
    title_pl: str
    title_en: str = ""
    intro_pl: str = ""
    intro_en: str = ""
    thanks_pl: str = ""
    thanks_en: str = ""
    # CSAT, NPS, CES and complaint surveys: the main question's wording (empty: the standard one) and
    # whether a comment is asked for; custom surveys: ``questions``.
    main_pl: str = ""
    main_en: str = ""
    ask_comment: bool = True
    questions: tuple[QuestionData, ...] = field(default_factory=tuple)


def _questions_for(data: SurveyData) -> list[QuestionData]:
    if data.kind == SurveyKind.CUSTOM:
        if not data.questions:
            raise ValidationError({"questions": _("A custom survey needs at least one question.")})
        return list(data.questions)
    low, high = SCALES[data.kind]
    default_pl, default_en = DEFAULT_QUESTIONS[data.kind]
    main = QuestionData(
        kind=QuestionKind.SCALE,
        text_pl=data.main_pl.strip() or default_pl,
        text_en=data.main_en.strip() or default_en,
        scale_min=low,
        scale_max=high,
        required=True,
    )
    extra = [QuestionData(kind=QuestionKind.TEXT, text_pl=COMMENT_QUESTION[0], text_en=COMMENT_QUESTION[1])]
    return [main, *(extra if data.ask_comment else [])]


def _check_question(position: int, question: QuestionData) -> None:
    prefix = f"questions-{position}"
    if not question.text_pl.strip():
        raise ValidationError({prefix: _("Question %(number)s: write it in Polish.") % {"number": position + 1}})
    if question.kind == QuestionKind.SCALE:
        low, high = question.scale_min, question.scale_max
        if low is None or high is None or not (0 <= low < high <= 10):
            raise ValidationError(
                {
                    prefix: _("Question %(number)s: a scale goes from 0 or more up to 10 at most.")
                    % {"number": position + 1}
                }
            )
    if question.kind == QuestionKind.CHOICE:
        options = [option for option in question.choices_pl if option.strip()]
        if len(options) < 2:
            raise ValidationError(
                {prefix: _("Question %(number)s: give at least two options.") % {"number": position + 1}}
            )
        if question.choices_en and len([o for o in question.choices_en if o.strip()]) != len(options):
            raise ValidationError(
                {
                    prefix: _("Question %(number)s: give as many English options as Polish ones.")
                    % {"number": position + 1}
                }
            )


def _write_version(survey: Survey, data: SurveyData, *, number: int, actor: Any) -> SurveyVersion:
    questions = _questions_for(data)
    for position, question in enumerate(questions):
        _check_question(position, question)
    version = SurveyVersion(
        survey=survey,
        number=number,
        title_pl=data.title_pl.strip(),
        title_en=data.title_en.strip(),
        intro_pl=data.intro_pl.strip(),
        intro_en=data.intro_en.strip(),
        thanks_pl=data.thanks_pl.strip(),
        thanks_en=data.thanks_en.strip(),
        created_by=signed_in_user(actor),
    )
    version.full_clean(exclude=["survey"])
    version.save()
    main_given = False
    for position, question in enumerate(questions):
        is_main = question.kind == QuestionKind.SCALE and not main_given
        main_given = main_given or is_main
        row = Question(
            version=version,
            position=position,
            kind=question.kind,
            text_pl=question.text_pl.strip(),
            text_en=question.text_en.strip(),
            scale_min=question.scale_min if question.kind == QuestionKind.SCALE else None,
            scale_max=question.scale_max if question.kind == QuestionKind.SCALE else None,
            choices_pl=[o.strip() for o in question.choices_pl if o.strip()]
            if question.kind == QuestionKind.CHOICE
            else [],
            choices_en=[o.strip() for o in question.choices_en if o.strip()]
            if question.kind == QuestionKind.CHOICE
            else [],
            required=question.required,
            is_main=is_main,
        )
        row.full_clean(exclude=["version"])
        row.save()
    return version


def version_in_use(version: SurveyVersion) -> bool:
    """A version that was sent (or opened at the tablet) is frozen: its results must keep their meaning."""
    return Invitation.objects.filter(survey_version=version).exists()


@transaction.atomic
def survey_create(*, organisation: Organisation, actor: Any, data: SurveyData) -> Survey:
    if data.kind not in SurveyKind.values:
        raise ValidationError({"kind": _("Choose a kind of survey.")})
    survey = Survey(organisation=organisation, name=data.name.strip(), kind=data.kind, updated_by=signed_in_user(actor))
    survey.full_clean(exclude=["current_version"])
    survey.save()
    survey.current_version = _write_version(survey, data, number=1, actor=actor)
    survey.save(update_fields=["current_version"])
    audit(
        actor=actor,
        action="feedback.survey_create",
        target=survey,
        organisation=organisation,
        summary=_("Survey created: %(name)s") % {"name": survey.name},
    )
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, actor: Any, data: SurveyData, expected_version: int | None = None) -> Survey:
    """Change a survey. Its current version is rewritten only while nobody was invited to it; otherwise
    the change becomes the next version and the old one stays as it was."""
    survey = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
    check_version(survey, expected_version)
    data = SurveyData(**{**data.__dict__, "kind": survey.kind})  # the kind never changes
    current = survey.current_version
    survey.name = data.name.strip()
    if current is not None and not version_in_use(current):
        number = current.number
        survey.current_version = None
        survey.save(update_fields=["current_version"])
        current.delete()
    else:
        number = (current.number + 1) if current is not None else 1
    survey.current_version = _write_version(survey, data, number=number, actor=actor)
    bump_version(survey, user=actor)
    survey.full_clean()
    survey.save()
    audit(
        actor=actor,
        action="feedback.survey_update",
        target=survey,
        organisation=survey.organisation,
        summary=_("Survey %(name)s: version %(number)s") % {"name": survey.name, "number": number},
    )
    return survey


@transaction.atomic
def survey_set_active(*, survey: Survey, active: bool, actor: Any) -> Survey:
    survey = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
    survey.is_active = active
    bump_version(survey, user=actor)
    survey.save()
    audit(
        actor=actor,
        action="feedback.survey_activate" if active else "feedback.survey_deactivate",
        target=survey,
        organisation=survey.organisation,
        summary=(_("Survey switched on: %(name)s") if active else _("Survey switched off: %(name)s"))
        % {"name": survey.name},
    )
    return survey


# --- invitation rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleData:
    trigger: str
    channel: str
    branch: Branch | None = None
    delay_minutes: int = 60
    sampling_percent: int = 100
    suppression_days: int = 30
    period_days: int = 180
    is_active: bool = True


@transaction.atomic
def rule_save(
    *,
    survey: Survey,
    data: RuleData,
    actor: Any,
    rule: InvitationRule | None = None,
    expected_version: int | None = None,
) -> InvitationRule:
    if data.branch is not None and data.branch.organisation_id != survey.organisation_id:
        raise ValidationError({"branch": _("Choose a branch of this organisation.")})
    if data.trigger == Trigger.MANUAL:
        raise ValidationError({"trigger": _("Choose what starts the invitation.")})
    if data.trigger == Trigger.RELATIONSHIP and data.channel == InviteChannel.IN_PERSON:
        raise ValidationError({"channel": _("A periodic survey is sent by e-mail or SMS.")})
    if rule is None:
        rule = InvitationRule(organisation=survey.organisation, survey=survey)
    else:
        rule = InvitationRule.objects.select_for_update(of=("self",)).get(pk=rule.pk, survey=survey)
        check_version(rule, expected_version)
        bump_version(rule, user=actor)
    for name, value in data.__dict__.items():
        setattr(rule, name, value)
    rule.updated_by = signed_in_user(actor)
    rule.full_clean()
    rule.save()
    audit(
        actor=actor,
        action="feedback.rule_save",
        target=rule,
        organisation=survey.organisation,
        branch=data.branch,
        summary=_("Invitation rule for %(survey)s: %(trigger)s")
        % {"survey": survey.name, "trigger": rule.get_trigger_display()},
    )
    return rule


# --- who is asked -----------------------------------------------------------------------------------


def sampled(*, client_id: int, rule_id: int, percent: int) -> bool:
    """Whether the client is in the rule's sample: a stable hash of (rule, client), not a coin toss."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"feedback-sample:{rule_id}:{client_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < percent


def recipient_for(client: Client, channel: str) -> str:
    """The client's primary e-mail or phone on file (empty when there is none, or for the tablet)."""
    if channel == InviteChannel.IN_PERSON:
        return ""
    kind = ContactKind.EMAIL if channel == InviteChannel.EMAIL else ContactKind.PHONE
    contact = client.contacts.filter(kind=kind).order_by("-is_primary", "pk").first()
    return contact.value if contact is not None else ""


def refusal(*, client: Client, channel: str, suppression_days: int, now: datetime | None = None) -> str:
    """Why this client may not be invited now (translated), or "" when they may."""
    if not client.is_active_record or client.is_deceased:
        return _("The client's record is no longer active.")
    if client.do_not_contact:
        return _("The client asked not to be contacted.")
    purpose = CONSENT_FOR.get(channel)
    if purpose is not None and not has_active_consent(client, purpose):
        return _("The client has not agreed to messages by this channel.")
    if channel != InviteChannel.IN_PERSON and not recipient_for(client, channel):
        return _("The client has no e-mail address or phone number for this channel.")
    if suppression_days:
        since = (now or timezone.now()) - timedelta(days=suppression_days)
        recent = Invitation.objects.filter(client=client, created_at__gte=since).exclude(
            status=InvitationStatus.CANCELLED
        )
        if recent.exists():
            return _("The client was already asked for feedback in the last %(days)s days.") % {
                "days": suppression_days
            }
    return ""


def _create_invitation(
    *,
    survey: Survey,
    branch: Branch,
    channel: str,
    trigger: str,
    actor: Any,
    client: Client | None = None,
    rule: InvitationRule | None = None,
    due_at: datetime | None = None,
    source: hooks.Source | None = None,
    source_type: str = "",
    source_id: str = "",
    source_label: str = "",
    served_by: Any = None,
) -> Invitation:
    if survey.current_version is None or not survey.is_active:
        raise ValidationError({"survey": _("This survey is switched off.")})
    now = timezone.now()
    due_at = due_at or now
    language = (client.preferred_language if client is not None else "") or branch.organisation.default_language
    invitation = Invitation(
        organisation_id=branch.organisation_id,
        branch=branch,
        survey=survey,
        survey_version=survey.current_version,
        rule=rule,
        trigger=trigger,
        client=client,
        channel=channel,
        recipient=recipient_for(client, channel) if client is not None else "",
        language=language[:5],
        due_at=due_at,
        expires_at=due_at + links.LINK_MAX_AGE,
        source_type=source.kind if source else source_type,
        source_id=str(source.pk) if source else str(source_id),
        source_label=(source.label if source else source_label)[:120],
        served_by=signed_in_user(source.served_by if source else served_by),
        created_by=signed_in_user(actor),
    )
    invitation.full_clean()
    invitation.save()
    if channel == InviteChannel.IN_PERSON:  # the tablet shows it at once: that is its sending
        reporting.survey_sent(invitation, at=invitation.created_at, survey_type=survey.kind)
    audit(
        actor=actor,
        action="feedback.invitation_create",
        target=invitation,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Survey %(survey)s: invitation by %(channel)s")
        % {"survey": survey.name, "channel": invitation.get_channel_display()},
        data={"trigger": trigger, "source": invitation.source_type, "source_id": invitation.source_id},
    )
    return invitation


@transaction.atomic
def invitation_trigger(
    *,
    event: str,
    branch: Branch,
    client: Client | None,
    actor: Any = None,
    source_type: str = "",
    source_id: Any = "",
    source_label: str = "",
    served_by: Any = None,
) -> list[Invitation]:
    """Something happened that a survey may ask about (a case resolved, a visit finished, a check-out, a
    purchase): every active rule for ``event`` at this branch decides whether to invite the client.

    Called by desk and interactions inside their own transaction; returns the invitations made (often none).
    """
    if client is None or event not in Trigger.values:
        return []
    rules = (
        InvitationRule.objects.filter(
            organisation_id=branch.organisation_id, trigger=event, is_active=True, survey__is_active=True
        )
        .filter(Q(branch__isnull=True) | Q(branch=branch))
        .select_related("survey__current_version")
        .order_by("pk")
    )
    made = []
    now = timezone.now()
    for rule in rules:
        if not sampled(client_id=client.pk, rule_id=rule.pk, percent=rule.sampling_percent):
            continue
        if (
            source_type
            and Invitation.objects.filter(
                survey=rule.survey, source_type=source_type, source_id=str(source_id)
            ).exists()
        ):
            continue
        # A tablet invitation waits at the desk for the client who is there, so it is not suppressed.
        if rule.channel != InviteChannel.IN_PERSON and refusal(
            client=client, channel=rule.channel, suppression_days=rule.suppression_days, now=now
        ):
            continue
        made.append(
            _create_invitation(
                survey=rule.survey,
                branch=branch,
                channel=rule.channel,
                trigger=event,
                actor=actor,
                client=client,
                rule=rule,
                due_at=now + timedelta(minutes=rule.delay_minutes),
                source_type=source_type,
                source_id=str(source_id),
                source_label=source_label,
                served_by=served_by,
            )
        )
    return made


@transaction.atomic
def invitation_create_manual(
    *, survey: Survey, branch: Branch, client: Client, channel: str, actor: Any, suppression_days: int = 30
) -> Invitation:
    """A survey sent by hand to one client; the consent, do-not-contact and suppression rules still hold."""
    if survey.organisation_id != branch.organisation_id or client.organisation_id != branch.organisation_id:
        raise ValidationError(_("The survey, the branch and the client must belong to one organisation."))
    if channel == InviteChannel.IN_PERSON:
        raise ValidationError({"channel": _("Open the survey on the desk tablet instead.")})
    reason = refusal(client=client, channel=channel, suppression_days=suppression_days)
    if reason:
        raise ValidationError({"client": reason})
    return _create_invitation(
        survey=survey, branch=branch, channel=channel, trigger=Trigger.MANUAL, actor=actor, client=client
    )


@transaction.atomic
def kiosk_open(*, survey: Survey, source: hooks.Source, actor: Any) -> Invitation:
    """The desk tablet, bound to the visit just finished: the open tablet invitation of that visit, or a new one."""
    if survey.organisation_id != source.branch.organisation_id:
        raise ValidationError({"survey": _("Choose a survey of this organisation.")})
    existing = (
        Invitation.objects.filter(
            survey=survey,
            source_type=source.kind,
            source_id=str(source.pk),
            channel=InviteChannel.IN_PERSON,
            status__in=OPEN_STATUSES,
            expires_at__gt=timezone.now(),
        )
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    if Invitation.objects.filter(
        survey=survey, source_type=source.kind, source_id=str(source.pk), status=InvitationStatus.ANSWERED
    ).exists():
        raise ValidationError({"survey": _("The client has already answered this survey about this visit.")})
    return _create_invitation(
        survey=survey,
        branch=source.branch,
        channel=InviteChannel.IN_PERSON,
        trigger=Trigger.MANUAL,
        actor=actor,
        client=source.client,
        source=source,
    )


def survey_url(invitation: Invitation) -> str:
    path = reverse("feedback:answer", kwargs={"token": links.make_token(invitation.pk)})
    return settings.PUBLIC_URL.rstrip("/") + path


@transaction.atomic
def invitation_send(*, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """Queue the e-mail or SMS of one due invitation through core's notifications (the worker delivers it)."""
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.status != InvitationStatus.SCHEDULED or invitation.channel == InviteChannel.IN_PERSON:
        return invitation
    now = now or timezone.now()
    client = invitation.client
    if client is not None and refusal(client=client, channel=invitation.channel, suppression_days=0):
        # Consent withdrawn or do-not-contact set while the invitation waited.
        invitation.status = InvitationStatus.CANCELLED
        invitation.save(update_fields=["status"])
        return invitation
    version = invitation.survey_version
    url = survey_url(invitation)
    with translation.override(invitation.language or "pl"):
        title = version.title(invitation.language)
        organisation = invitation.organisation.name
        if invitation.channel == InviteChannel.EMAIL:
            body = _(
                "Dear client,\n\n%(organisation)s would like to know what you think. Answering takes a minute:\n"
                "%(url)s\n\nThe link works for %(days)s days. Thank you!"
            ) % {"organisation": organisation, "url": url, "days": links.LINK_MAX_AGE.days}
            message = email_queue(
                to=invitation.recipient, subject=title, body=body, organisation=invitation.organisation
            )
        else:
            main = version.questions.filter(is_main=True).first()
            if main is not None and main.scale:
                text = _(
                    "%(organisation)s: %(question)s Reply with a digit %(low)s-%(high)s, or answer here: %(url)s"
                ) % {
                    "organisation": organisation,
                    "question": main.text(invitation.language),
                    "low": main.scale_min,
                    "high": main.scale_max,
                    "url": url,
                }
            else:
                text = _("%(organisation)s: please tell us what you think: %(url)s") % {
                    "organisation": organisation,
                    "url": url,
                }
            message = sms_queue(to=invitation.recipient, text=text, organisation=invitation.organisation)
    invitation.message = message
    invitation.status = InvitationStatus.SENT
    invitation.sent_at = now
    invitation.expires_at = now + links.LINK_MAX_AGE
    invitation.save(update_fields=["message", "status", "sent_at", "expires_at"])
    reporting.survey_sent(invitation, at=now, survey_type=invitation.survey.kind)
    return invitation


def send_due(now: datetime | None = None) -> int:
    """Send every due invitation, and let the unanswered past their expiry go (the periodic job)."""
    now = now or timezone.now()
    count = 0
    due = Invitation.objects.filter(
        status=InvitationStatus.SCHEDULED, due_at__lte=now, channel__in=(InviteChannel.EMAIL, InviteChannel.SMS)
    ).order_by("due_at")
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        invitation = invitation_send(invitation=Invitation(pk=pk), now=now)
        count += invitation.status == InvitationStatus.SENT
    Invitation.objects.filter(status__in=OPEN_STATUSES, expires_at__lt=now).update(status=InvitationStatus.EXPIRED)
    return count


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, actor: Any) -> Invitation:
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an invitation that was not answered yet can be cancelled."))
    invitation.status = InvitationStatus.CANCELLED
    invitation.save(update_fields=["status"])
    audit(
        actor=actor,
        action="feedback.invitation_cancel",
        target=invitation,
        organisation=invitation.organisation,
        branch=invitation.branch,
        summary=_("Survey invitation cancelled"),
    )
    return invitation


def relationship_run(now: datetime | None = None) -> int:
    """The periodic relationship (NPS) survey: each rule, at most once a day, invites a batch of clients
    not asked by it for ``period_days`` (sampled, consent and suppression respected)."""
    now = now or timezone.now()
    made = 0
    rules = InvitationRule.objects.filter(trigger=Trigger.RELATIONSHIP, is_active=True, survey__is_active=True).filter(
        Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - timedelta(days=1))
    )
    for rule in rules.select_related("survey__current_version", "branch", "organisation"):
        made += _relationship_rule(rule, now)
    return made


@transaction.atomic
def _relationship_rule(rule: InvitationRule, now: datetime) -> int:
    rule = InvitationRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    if rule.last_run_at is not None and rule.last_run_at > now - timedelta(days=1):
        return 0  # another process ran it a moment ago
    asked = Invitation.objects.filter(rule=rule, created_at__gte=now - timedelta(days=rule.period_days)).values(
        "client_id"
    )
    clients = Client.objects.filter(
        organisation_id=rule.organisation_id,
        replaced_by__isnull=True,
        erased_at__isnull=True,
        do_not_contact=False,
        is_deceased=False,
        consents__purpose=CONSENT_FOR[rule.channel],
        consents__withdrawn_at__isnull=True,
    ).exclude(pk__in=asked)
    if rule.branch_id is not None:
        clients = clients.filter(registered_at_branch_id=rule.branch_id)
    fallback = Branch.objects.filter(organisation_id=rule.organisation_id, is_active=True).order_by("pk").first()
    made = 0
    for client in clients.select_related("registered_at_branch").order_by("pk")[: RELATIONSHIP_BATCH * 4]:
        if made >= RELATIONSHIP_BATCH:
            break
        if not sampled(client_id=client.pk, rule_id=rule.pk, percent=rule.sampling_percent):
            continue
        if refusal(client=client, channel=rule.channel, suppression_days=rule.suppression_days, now=now):
            continue
        branch = rule.branch or client.registered_at_branch or fallback
        if branch is None:
            break
        _create_invitation(
            survey=rule.survey,
            branch=branch,
            channel=rule.channel,
            trigger=Trigger.RELATIONSHIP,
            actor=None,
            client=client,
            rule=rule,
            due_at=now + timedelta(minutes=rule.delay_minutes),
        )
        made += 1
    rule.last_run_at = now
    rule.save(update_fields=["last_run_at"])
    return made


# --- answering --------------------------------------------------------------------------------------


def is_low_score(kind: str, score: int | None, comment: str) -> bool:
    """A detractor (NPS 0–6), or a low CSAT / complaint-handling score (1–2) that came with a comment."""
    if score is None:
        return False
    if kind == SurveyKind.NPS:
        return score <= 6
    if kind in (SurveyKind.CSAT, SurveyKind.COMPLAINT):
        return score <= 2 and bool(comment.strip())
    return False


@dataclass(frozen=True)
class Saved:
    response: Response
    already_submitted: bool = False


def _parse(question: Question, raw: str) -> tuple[int | None, str, str]:
    """(score, choice, text) from what the page sent; raises a translated ValidationError."""
    key = f"q{question.pk}"
    raw = (raw or "").strip()
    if question.kind == QuestionKind.SCALE:
        if not raw:
            return None, "", ""
        if not re.fullmatch(r"-?\d{1,3}", raw) or not (question.scale_min <= int(raw) <= question.scale_max):  # type: ignore[operator]
            raise ValidationError(
                {
                    key: _("Choose a score from %(low)s to %(high)s.")
                    % {"low": question.scale_min, "high": question.scale_max}
                }
            )
        return int(raw), "", ""
    if question.kind == QuestionKind.CHOICE:
        if not raw:
            return None, "", ""
        if raw not in question.choices_pl and raw not in question.choices_en:
            raise ValidationError({key: _("Choose one of the options.")})
        # Stored in Polish whichever language it was answered in, so answers can be counted together.
        if raw in question.choices_en and raw not in question.choices_pl:
            raw = question.choices_pl[question.choices_en.index(raw)]
        return None, raw, ""
    if len(raw) > 4000:
        raise ValidationError({key: _("Please keep it under 4,000 characters.")})
    return None, "", raw


@transaction.atomic
def response_save(
    *, invitation: Invitation, answers: dict[str, str], submit: bool, actor: Any = None, now: datetime | None = None
) -> Saved:
    """Save what the client answered so far (``submit=False``), or submit it. A submitted response is
    final: submitting again (a double click, a reloaded page, a second SMS) changes nothing and says so.
    Out-of-range or unknown answers are refused with a message per question and nothing is written."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("survey_version").get(pk=invitation.pk)
    )
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.is_complete:
        return Saved(response=response, already_submitted=True)
    if invitation.status not in OPEN_STATUSES or invitation.expires_at < now:
        raise ValidationError(_("This survey can no longer be answered."))
    questions = list(invitation.survey_version.questions.all())
    errors: dict[str, list[str]] = {}
    parsed: dict[int, tuple[int | None, str, str]] = {}
    for question in questions:
        key = f"q{question.pk}"
        try:
            parsed[question.pk] = _parse(question, answers.get(key, ""))
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if submit and question.required and parsed[question.pk] == (None, "", ""):
            errors[key] = [_("Please answer this question.")]
    if errors:
        raise ValidationError(errors)
    if response is None:
        response = Response(
            organisation_id=invitation.organisation_id,
            branch_id=invitation.branch_id,
            survey_id=invitation.survey_id,
            survey_version=invitation.survey_version,
            invitation=invitation,
            client_id=invitation.client_id,
            kind=invitation.survey.kind,
            channel=invitation.channel,
        )
    main = next((q for q in questions if q.is_main), None)
    text_question = next((q for q in questions if q.kind == QuestionKind.TEXT), None)
    if main is not None and parsed[main.pk][0] is not None:
        response.score = parsed[main.pk][0]
    if text_question is not None and parsed[text_question.pk][2]:
        response.comment = parsed[text_question.pk][2]
    if submit:
        response.is_complete = True
        response.submitted_at = now
    response.full_clean(exclude=["invitation"])
    response.save()
    for question in questions:
        score, choice, text = parsed[question.pk]
        if (score, choice, text) == (None, "", ""):
            Answer.objects.filter(response=response, question=question).delete()
            continue
        Answer.objects.update_or_create(
            response=response, question=question, defaults={"score": score, "choice": choice, "text": text}
        )
    if invitation.opened_at is None:
        invitation.opened_at = now
    if submit:
        invitation.status = InvitationStatus.ANSWERED
        invitation.answered_at = now
        _after_submit(response, invitation)
        reporting.survey_answered(response, invitation, main=main, at=now)
    invitation.save(update_fields=["opened_at", "status", "answered_at"])
    return Saved(response=response)


def _after_submit(response: Response, invitation: Invitation) -> None:
    audit(
        actor=None,
        action="feedback.response_submit",
        target=response,
        organisation=invitation.organisation,
        branch=invitation.branch,
        summary=_("Survey %(survey)s answered: %(score)s")
        % {"survey": invitation.survey.name, "score": "—" if response.score is None else response.score},
    )
    if not is_low_score(response.kind, response.score, response.comment):
        return
    response.is_low = True
    labels = []
    for handler in hooks.low_score_handlers():
        label = handler(
            hooks.LowScore(
                response=response, invitation=invitation, score=response.score or 0, comment=response.comment
            )
        )
        if label:
            labels.append(str(label))
    response.follow_up = "; ".join(labels)[:120]
    response.save(update_fields=["is_low", "follow_up"])


def mark_opened(*, invitation: Invitation) -> None:
    """The first time the link is opened (for the response rate's "opened" step)."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())


@transaction.atomic
def sms_reply_record(*, sender: str, text: str, now: datetime | None = None) -> InboundSms:
    """An SMS from a client: a digit (in the survey's range) answers the latest open SMS invitation of that
    number; anything else (or a reply after answering) is kept as the comment. Unmatched replies are kept too."""
    now = now or timezone.now()
    number = normalise_phone(sender) or sender.strip()[:32]
    body = (text or "").strip()[:1600]
    reply = InboundSms(sender=number[:32], text=body)
    invitations = Invitation.objects.filter(channel=InviteChannel.SMS, recipient=number).order_by("-sent_at", "-pk")
    invitation = invitations.filter(status=InvitationStatus.SENT, expires_at__gt=now).first()
    if invitation is None:
        invitation = invitations.filter(
            status=InvitationStatus.ANSWERED, answered_at__gte=now - SMS_COMMENT_WINDOW
        ).first()
    reply.invitation = invitation
    reply.full_clean()
    reply.save()
    if invitation is None:
        return reply
    main = invitation.survey_version.questions.filter(is_main=True).first()
    text_question = invitation.survey_version.questions.filter(kind=QuestionKind.TEXT).first()
    digit = re.fullmatch(r"\d{1,2}", body)
    if (
        invitation.status == InvitationStatus.SENT
        and digit
        and main is not None
        and main.scale_min is not None
        and main.scale_max is not None
        and main.scale_min <= int(body) <= main.scale_max
    ):
        existing = Response.objects.filter(invitation=invitation).first()
        answers = {f"q{main.pk}": body}
        if existing is not None and text_question is not None and existing.comment:
            answers[f"q{text_question.pk}"] = existing.comment
        response_save(invitation=invitation, answers=answers, submit=True, now=now)
        return reply
    _sms_comment(invitation, body, text_question)
    return reply


def _sms_comment(invitation: Invitation, body: str, text_question: Question | None) -> None:
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        response = Response(
            organisation_id=invitation.organisation_id,
            branch_id=invitation.branch_id,
            survey_id=invitation.survey_id,
            survey_version_id=invitation.survey_version_id,
            invitation=invitation,
            client_id=invitation.client_id,
            kind=invitation.survey.kind,
            channel=invitation.channel,
        )
    response.comment = f"{response.comment}\n{body}".strip()[:4000]
    response.save()
    if text_question is not None:
        Answer.objects.update_or_create(response=response, question=text_question, defaults={"text": response.comment})


@transaction.atomic
def response_convert_to_complaint(*, response: Response, actor: Any) -> str:
    converter = hooks.complaint_converter()
    if converter is None:
        raise ValidationError(_("The complaint register is not set up."))
    label = converter(response=response, actor=actor)
    audit(
        actor=actor,
        action="feedback.response_to_complaint",
        target=response,
        organisation=response.organisation,
        branch=response.branch,
        summary=_("Survey response turned into a complaint: %(label)s") % {"label": label},
    )
    return label
