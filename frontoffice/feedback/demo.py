"""Demo feedback: per organisation a CSAT, an NPS, a CES, a custom and a complaint-handling survey with their
rules, and a month of invitations and some 300 responses.

Surveys and rules go through the services; the invitations, responses and answers are inserted in bulk
from a seeded random generator, so ``frontoffice demo`` stays quick and every run gives the same data.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from frontoffice.accounts.models import StaffMember
from frontoffice.clients.models import Client
from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Organisation

from . import links, services
from .choices import InvitationStatus, InviteChannel, QuestionKind, SurveyKind, Trigger
from .models import Answer, Invitation, Response, Survey

DAYS_BACK = 30
INVITATIONS = 420  # about 300 of them answered
END_TRIGGER = {
    BusinessKind.CLINIC: Trigger.VISIT_FINISHED,
    BusinessKind.HOTEL: Trigger.CHECK_OUT,
    BusinessKind.RETAIL: Trigger.PURCHASE,
}
# Scores skewed to the top, as real answers are, with a tail of unhappy clients.
WEIGHTS = {
    SurveyKind.CSAT: (3, 4, 10, 35, 48),
    SurveyKind.NPS: (2, 1, 1, 2, 2, 4, 6, 12, 18, 24, 28),
    SurveyKind.CES: (3, 4, 6, 10, 20, 30, 27),
    SurveyKind.CUSTOM: (4, 6, 15, 35, 40),
}
COMMENTS = (
    "Bardzo miła obsługa.",
    "Długo czekałem w kolejce.",
    "Wszystko sprawnie, dziękuję.",
    "Pani w recepcji była bardzo pomocna.",
    "Trudno się dodzwonić.",
    "",
    "",
    "",
)


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if Survey.objects.filter(organisation=organisation).exists():
            continue  # idempotent: the demo runs on every `make run` of an empty database
        _load(organisation, random.Random(7000 + seed))  # noqa: S311 - invented demo data


@transaction.atomic
def _load(organisation: Organisation, rng: random.Random) -> None:
    manager = (
        StaffMember.objects.filter(organisation=organisation, user__groups__name="manager")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    actor = manager.user if manager else None
    data = services.SurveyData
    csat = services.survey_create(
        organisation=organisation,
        actor=actor,
        data=data(
            name="Zadowolenie z obsługi (CSAT)",
            kind=SurveyKind.CSAT,
            title_pl="Jak oceniasz naszą obsługę?",
            title_en="How did we do?",
            thanks_pl="Dziękujemy! Twoja opinia pomaga nam być lepszymi.",
            thanks_en="Thank you! Your opinion helps us improve.",
        ),
    )
    nps = services.survey_create(
        organisation=organisation,
        actor=actor,
        data=data(
            name="Polecenie (NPS)",
            kind=SurveyKind.NPS,
            title_pl="Czy polecisz nas?",
            title_en="Would you recommend us?",
        ),
    )
    ces = services.survey_create(
        organisation=organisation,
        actor=actor,
        data=data(
            name="Łatwość załatwienia sprawy (CES)",
            kind=SurveyKind.CES,
            title_pl="Czy było łatwo?",
            title_en="Was it easy?",
        ),
    )
    custom = services.survey_create(
        organisation=organisation,
        actor=actor,
        data=data(
            name="Ankieta o wizycie",
            kind=SurveyKind.CUSTOM,
            title_pl="Kilka pytań o Twoją wizytę",
            title_en="A few questions about your visit",
            questions=(
                services.QuestionData(
                    kind=QuestionKind.SCALE,
                    text_pl="Czystość i wygoda",
                    text_en="Cleanliness and comfort",
                    scale_min=1,
                    scale_max=5,
                    required=True,
                ),
                services.QuestionData(
                    kind=QuestionKind.CHOICE,
                    text_pl="Skąd o nas wiesz?",
                    text_en="How did you hear about us?",
                    choices_pl=("Internet", "Znajomi", "Reklama", "Inne"),
                    choices_en=("Internet", "Friends", "Advertising", "Other"),
                ),
                services.QuestionData(
                    kind=QuestionKind.TEXT, text_pl="Co możemy poprawić?", text_en="What could we improve?"
                ),
            ),
        ),
    )
    services.survey_create(
        organisation=organisation,
        actor=actor,
        data=data(
            name="Rozpatrzenie reklamacji",
            kind=SurveyKind.COMPLAINT,
            title_pl="Jak rozpatrzyliśmy Twoją reklamację?",
            title_en="How did we handle your complaint?",
        ),
    )
    end = END_TRIGGER.get(organisation.kind, Trigger.VISIT_FINISHED)
    rules = {
        csat.pk: services.rule_save(
            survey=csat,
            actor=actor,
            data=services.RuleData(trigger=end, channel=InviteChannel.EMAIL, delay_minutes=120, sampling_percent=50),
        ),
        ces.pk: services.rule_save(
            survey=ces,
            actor=actor,
            data=services.RuleData(trigger=Trigger.CASE_RESOLVED, channel=InviteChannel.EMAIL, delay_minutes=60),
        ),
        nps.pk: services.rule_save(
            survey=nps,
            actor=actor,
            data=services.RuleData(
                trigger=Trigger.RELATIONSHIP,
                channel=InviteChannel.SMS,
                sampling_percent=30,
                period_days=180,
                is_active=False,
            ),
        ),
    }
    branches = list(organisation.branches.order_by("code"))
    clients = list(
        Client.objects.filter(organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "preferred_language")
    )
    if not branches or not clients:
        return
    _answers(organisation, rng, branches, clients, [csat, nps, ces, custom], rules)


def _answers(organisation, rng, branches, clients, surveys, rules) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    questions = {survey.pk: list(survey.current_version.questions.all()) for survey in surveys}
    invitations = []
    for _number in range(INVITATIONS):
        survey = rng.choices(surveys, weights=(5, 2, 2, 1))[0]
        client_id, language = rng.choice(clients)
        created = now - timedelta(days=rng.uniform(0, DAYS_BACK))
        channel = rng.choice((InviteChannel.EMAIL, InviteChannel.EMAIL, InviteChannel.SMS, InviteChannel.IN_PERSON))
        answered = rng.random() < 0.72
        rule = rules.get(survey.pk)
        invitations.append(
            Invitation(
                organisation=organisation,
                branch=rng.choice(branches),
                survey=survey,
                survey_version=survey.current_version,
                rule=rule if channel != InviteChannel.IN_PERSON else None,
                trigger=rule.trigger if rule and channel != InviteChannel.IN_PERSON else Trigger.MANUAL,
                client_id=client_id,
                channel=channel,
                language=language or "pl",
                status=InvitationStatus.ANSWERED if answered else InvitationStatus.SENT,
                due_at=created,
                sent_at=created,
                expires_at=created + links.LINK_MAX_AGE,
                answered_at=created + timedelta(hours=rng.uniform(0.1, 48)) if answered else None,
                created_at=created,
            )
        )
    Invitation.objects.bulk_create(invitations)
    # bulk_create ignores auto_now_add's value on some databases: put the invented times back.
    for invitation in invitations:
        Invitation.objects.filter(pk=invitation.pk).update(created_at=invitation.due_at)
    responses, pending = [], []
    for invitation in invitations:
        if invitation.status != InvitationStatus.ANSWERED:
            continue
        kind = invitation.survey.kind
        survey_questions = questions[invitation.survey_id]
        main = next(q for q in survey_questions if q.is_main)
        score = rng.choices(main.scale, weights=WEIGHTS[kind][: len(main.scale)])[0]
        comment = rng.choice(COMMENTS) if any(q.kind == QuestionKind.TEXT for q in survey_questions) else ""
        response = Response(
            organisation=organisation,
            branch=invitation.branch,
            survey_id=invitation.survey_id,
            survey_version=invitation.survey_version,
            invitation=invitation,
            client_id=invitation.client_id,
            kind=kind,
            channel=invitation.channel,
            score=score,
            comment=comment,
            is_complete=True,
            is_low=services.is_low_score(kind, score, comment),
            submitted_at=invitation.answered_at,
        )
        responses.append(response)
        pending.append((response, survey_questions, score, comment))
    Response.objects.bulk_create(responses)
    answers = []
    for response, survey_questions, score, comment in pending:
        for question in survey_questions:
            if question.is_main:
                answers.append(Answer(response=response, question=question, score=score))
            elif question.kind == QuestionKind.CHOICE:
                answers.append(Answer(response=response, question=question, choice=rng.choice(question.choices_pl)))
            elif question.kind == QuestionKind.TEXT and comment:
                answers.append(Answer(response=response, question=question, text=comment))
    Answer.objects.bulk_create(answers)
