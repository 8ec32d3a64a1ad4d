"""Pages opened without signing in: the survey from its signed link, the desk tablet, and the SMS-reply webhook.

The survey opens in the client's language (the invitation's), whatever the browser says. A used,
expired or tampered link gets a friendly page, never an error; a repeated submit changes nothing.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import links, services
from .choices import OPEN_STATUSES, InviteChannel
from .inbound import get_inbound_sms_adapter
from .models import Answer, Invitation


def _problem(request: HttpRequest, reason: str, *, language: str | None = None, kiosk: bool = False) -> HttpResponse:
    status = {"invalid": 404, "expired": 410, "closed": 410}.get(reason, 200)
    with translation.override(language or translation.get_language()):
        return render(request, "feedback/public/problem.html", {"reason": reason, "kiosk": kiosk}, status=status)


def _load(request: HttpRequest, token: str, *, kiosk: bool) -> tuple[Invitation | None, HttpResponse | None]:
    try:
        invitation_id = links.read_token(token)
    except links.LinkExpired as expired:
        found = Invitation.objects.filter(pk=expired.invitation_id).only("language").first()
        return None, _problem(request, "expired", language=found.language if found else None, kiosk=kiosk)
    except links.LinkInvalid:
        return None, _problem(request, "invalid", kiosk=kiosk)
    invitation = (
        Invitation.objects.select_related("survey", "survey_version", "organisation", "branch")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or (kiosk != (invitation.channel == InviteChannel.IN_PERSON)):
        return None, _problem(request, "invalid", kiosk=kiosk)
    response = getattr(invitation, "response", None) if hasattr(invitation, "response") else None
    if response is not None and response.is_complete:
        return None, _problem(request, "answered", language=invitation.language, kiosk=kiosk)
    if invitation.status not in OPEN_STATUSES:
        return None, _problem(request, "closed", language=invitation.language, kiosk=kiosk)
    if invitation.expires_at < timezone.now():
        return None, _problem(request, "expired", language=invitation.language, kiosk=kiosk)
    return invitation, None


def _saved_values(invitation: Invitation) -> dict[str, str]:
    values = {}
    for answer in Answer.objects.filter(response__invitation=invitation):
        value = answer.score if answer.score is not None else (answer.choice or answer.text)
        values[f"q{answer.question_id}"] = str(value)
    return values


def _form_page(request: HttpRequest, invitation: Invitation, *, kiosk: bool) -> HttpResponse:
    language = invitation.language or "pl"
    values: dict[str, str] = _saved_values(invitation)
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    saved = False
    with translation.override(language):
        if request.method == "POST":
            values = {key: value for key, value in request.POST.items() if key.startswith("q")}
            submit = "save" not in request.POST
            try:
                result = services.response_save(invitation=invitation, answers=values, submit=submit)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    errors = error.message_dict
                else:
                    general = error.messages
            else:
                if submit or result.already_submitted:
                    if kiosk:
                        return redirect("feedback:kiosk_done")
                    return render(
                        request,
                        "feedback/public/thanks.html",
                        {"thanks": invitation.survey_version.thanks(language), "kiosk": kiosk},
                    )
                saved = True
        else:
            services.mark_opened(invitation=invitation)
        questions = []
        for question in invitation.survey_version.questions.all():
            key = f"q{question.pk}"
            questions.append(
                {
                    "key": key,
                    "question": question,
                    "text": question.text(language),
                    "options": question.options(language),
                    "value": values.get(key, ""),
                    "errors": errors.get(key, []),
                }
            )
        context: dict[str, Any] = {
            "invitation": invitation,
            "title": invitation.survey_version.title(language),
            "intro": invitation.survey_version.intro(language),
            "questions": questions,
            "errors": bool(errors) or bool(general),
            "general": general,
            "saved": saved,
            "kiosk": kiosk,
        }
        return render(request, "feedback/public/answer.html", context, status=400 if errors or general else 200)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation, problem = _load(request, token, kiosk=False)
    if problem is not None:
        return problem
    assert invitation is not None
    return _form_page(request, invitation, kiosk=False)


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """The tablet's survey: the same form, and then the idle screen (no way into the app)."""
    invitation, problem = _load(request, token, kiosk=True)
    if problem is not None:
        return problem
    assert invitation is not None
    return _form_page(request, invitation, kiosk=True)


def kiosk_done(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/public/kiosk_done.html")


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """The SMS gateway posts each reply here; the adapter reads the gateway's format and checks its secret."""
    secret = settings.FEEDBACK_SMS_INBOUND_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"detail": "unauthorised"}, status=401)
    try:
        messages = get_inbound_sms_adapter().parse(request)
    except ValueError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    recorded = [services.sms_reply_record(sender=sender, text=text) for sender, text in messages]
    return JsonResponse({"recorded": len(recorded), "matched": sum(1 for r in recorded if r.invitation_id)})
