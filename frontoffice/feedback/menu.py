from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .permissions import FeedbackPermission

SECTION = _("Feedback")

# Orders 300–309 belong to the feedback app (after Contacts and Phone).
MENU: list[MenuItem] = [
    MenuItem(
        _("Survey responses"),
        "feedback:response_list",
        (FeedbackPermission.VIEW_FEEDBACK.perm,),
        section=SECTION,
        order=300,
        match_prefix="/feedback/responses/",
    ),
    MenuItem(
        _("Survey invitations"),
        "feedback:invitation_list",
        (FeedbackPermission.VIEW_FEEDBACK.perm,),
        section=SECTION,
        order=301,
        match_prefix="/feedback/invitations/",
    ),
    MenuItem(
        _("Surveys"),
        "feedback:survey_list",
        (FeedbackPermission.MANAGE_SURVEYS.perm,),
        section=SECTION,
        order=309,
        match_prefix="/feedback/surveys/",
    ),
]
