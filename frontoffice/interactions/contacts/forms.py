"""Forms of the contacts pages: the quick log form, the list's filters, edits, follow-ups, topics and teams."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..choices import Channel, Direction, Outcome
from ..models import Topic

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TopicChoiceField(forms.ModelChoiceField):
    """Topics by their name in the user's language."""

    def label_from_instance(self, obj: Topic) -> str:  # type: ignore[override]
        return obj.label(get_language() or "en")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ContactFilterForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False, empty_label=_("All"))  # type: ignore[arg-type]
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All")), *Channel.choices], required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=[("", _("All")), *Direction.choices], required=False)
    staff = PersonChoiceField(label=_("Handled by"), queryset=None, required=False, empty_label=_("Anyone"))  # type: ignore[arg-type]
    topic = TopicChoiceField(label=_("Topic"), queryset=None, required=False, empty_label=_("All"))  # type: ignore[arg-type]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("All")), *Outcome.choices], required=False)
    date_from = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    date_to = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False)
    needs_client = forms.BooleanField(label=_("Needs a client"), required=False)
    client = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, branches: Any, staff: Any, topics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["staff"].queryset = staff
        self.fields["topic"].queryset = topics

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The last day must not be before the first day."))
        return data


class FollowUpFields(forms.Form):
    """The follow-up part shared by the quick form and the contact page."""

    follow_up_note = forms.CharField(label=_("Follow-up: what to do"), max_length=300, required=False)
    follow_up_owner = PersonChoiceField(label=_("Follow-up owner"), queryset=None, required=False, empty_label=None)  # type: ignore[arg-type]
    follow_up_due = forms.DateTimeField(label=_("Follow-up due"), widget=DATETIME_INPUT, required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_owner"].queryset = owners

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("follow_up_note") and not data.get("follow_up_due"):
            self.add_error("follow_up_due", _("Say when the follow-up is due."))
        if data.get("follow_up_due") and not data.get("follow_up_note"):
            self.add_error("follow_up_note", _("Say what is to be done."))
        return data


class ContactForm(FollowUpFields):
    """Log a call taken, a counter conversation, a letter or an SMS (the client comes from the picker)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.INBOUND)
    contact_address = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=254,
        required=False,
        help_text=_("Without a client, the contact is matched by this number or address."),
    )
    topic = TopicChoiceField(label=_("Topic"), queryset=None, required=False, empty_label=_("No topic"))  # type: ignore[arg-type]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("Not recorded")), *Outcome.choices], required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    case_subject = forms.CharField(
        label=_("Open a case with the subject"),
        max_length=200,
        required=False,
        help_text=_("Leave empty unless the matter needs more than this contact."),
    )
    field_order = [
        "channel",
        "direction",
        "contact_address",
        "topic",
        "outcome",
        "summary",
        "follow_up_note",
        "follow_up_owner",
        "follow_up_due",
        "case_subject",
    ]

    def __init__(self, *args: Any, topics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics


class ContactEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    topic = TopicChoiceField(label=_("Topic"), queryset=None, required=False, empty_label=_("No topic"))  # type: ignore[arg-type]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("Not recorded")), *Outcome.choices], required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, topics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics


class FollowUpForm(FollowUpFields):
    """A follow-up added on the contact's page: here what and when are required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_note"].required = True
        self.fields["follow_up_due"].required = True
        self.fields["follow_up_note"].label = _("What to do")
        self.fields["follow_up_owner"].label = _("Owner")
        self.fields["follow_up_due"].label = _("Due")


class OpenCaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject of the case"), max_length=200)


class FollowUpFilterForm(forms.Form):
    owner = PersonChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Me"))  # type: ignore[arg-type]
    done = forms.BooleanField(label=_("Include done"), required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class TopicForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name in English"), max_length=80)
    name_pl = forms.CharField(label=_("Name in Polish"), max_length=80, required=False)
    position = forms.IntegerField(label=_("Position in lists"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class TeamForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=80)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    lead = PersonChoiceField(label=_("Team lead"), queryset=None, required=False, empty_label=_("Nobody"))  # type: ignore[arg-type]
    members = PeopleChoiceField(
        label=_("Members"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
    )
    phone_queues = forms.CharField(
        label=_("Phone queues"),
        required=False,
        max_length=1000,
        help_text=_("The phone system's queue names whose calls are this team's, separated by commas."),
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def clean_phone_queues(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["phone_queues"].split(",") if name.strip()]

    def __init__(self, *args: Any, branches: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["lead"].queryset = people
        self.fields["members"].queryset = people
