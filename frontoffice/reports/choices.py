"""Choices the reports pages share."""

from django.utils.translation import gettext_lazy as _

# The channel codes of the reporting events (interactions.Channel's, docs/reporting-events.md).
CHANNELS = [
    ("", _("Any")),
    ("phone", _("Phone")),
    ("email", _("E-mail")),
    ("chat", _("Web chat")),
    ("sms", _("SMS")),
    ("web_form", _("Web form")),
    ("in_person", _("In person")),
    ("letter", _("Letter")),
]
CHANNEL_LABELS = {code: label for code, label in CHANNELS if code}

PERIOD_KINDS = [
    ("day", _("Day")),
    ("week", _("Week")),
    ("month", _("Month")),
    ("custom", _("Custom range")),
]
