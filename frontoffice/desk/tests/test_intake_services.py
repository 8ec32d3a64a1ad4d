"""Intake forms: versions, conditions, submissions, acceptance and the transition guard."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from frontoffice.core.models import AuditEntry
from frontoffice.desk import services as desk_services
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.intake import answers, services
from frontoffice.desk.intake.selectors import rendered_answers
from frontoffice.desk.intake.services import FieldData
from frontoffice.desk.models import IntakeField, IntakeFormVersion, IntakeSubmission

from .fixtures_intake import signature_png

pytestmark = pytest.mark.django_db


def good_answers(**extra):
    return {"allergies": "no", "signature": signature_png(), "phone": "600 200 300", **extra}


# --- versions ------------------------------------------------------------------------------------


def test_a_published_version_cannot_change(intake_form, manager):
    version = intake_form.versions.get()
    with pytest.raises(ValidationError, match="published"):
        services.intake_field_add(
            version=version, actor=manager, data=FieldData(key="x", kind="text", label_pl="X", label_en="X")
        )


def test_editing_a_published_form_makes_a_new_version_and_old_submissions_keep_theirs(
    intake_form, intake_visit, manager, clerk
):
    # given a submission to version 1
    submission, _created = services.intake_submission_save(
        visit=intake_visit, actor=clerk, raw=good_answers(smoker="past")
    )
    # when the manager relabels an option and removes the weight question in version 2
    draft = services.intake_draft_start(form=intake_form, actor=manager)
    assert draft.number == 2 and draft.is_draft
    smoker = draft.fields.get(key="smoker")
    services.intake_field_update(
        field=smoker,
        actor=manager,
        data=FieldData(
            key="smoker",
            kind="single_choice",
            label_pl="Papierosy",
            label_en="Cigarettes",
            choices=[{"value": "never", "label_pl": "Nie"}, {"value": "now", "label_pl": "Tak"}],
        ),
    )
    services.intake_field_remove(field=draft.fields.get(key="weight"), actor=manager)
    services.intake_version_publish(version=draft, actor=manager)
    # then the old submission still answers version 1, with version 1's labels
    submission.refresh_from_db()
    assert submission.form_version.number == 1
    rendered = {row.field.key: row for row in rendered_answers(submission)}
    assert rendered["smoker"].field.label_pl == "Palenie"
    assert rendered["smoker"].value == "In the past"  # version 1's English label
    assert "weight" in rendered
    # and version 1's fields are untouched
    assert IntakeField.objects.filter(version__number=1, version__form=intake_form).count() == 8
    assert IntakeFormVersion.objects.filter(form=intake_form).count() == 2


def test_starting_a_draft_twice_gives_the_same_draft(intake_form, manager):
    first = services.intake_draft_start(form=intake_form, actor=manager)
    again = services.intake_draft_start(form=intake_form, actor=manager)
    assert first.pk == again.pk


def test_a_condition_must_name_an_earlier_field_and_a_possible_answer(intake_form, manager):
    draft = services.intake_draft_start(form=intake_form, actor=manager)
    with pytest.raises(ValidationError) as refused:
        services.intake_field_add(
            version=draft,
            actor=manager,
            data=FieldData(
                key="since", kind="date", label_pl="Od kiedy", label_en="Since", show_if_key="smoker", show_if_value="x"
            ),
        )
    assert "show_if_key" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.intake_field_add(
            version=draft,
            actor=manager,
            data=FieldData(
                key="early",
                kind="text",
                label_pl="A",
                label_en="A",
                show_if_key="later",
                show_if_value="yes",
                position=1,
            ),
        )


def test_a_field_others_depend_on_cannot_be_removed(intake_form, manager):
    draft = services.intake_draft_start(form=intake_form, actor=manager)
    with pytest.raises(ValidationError, match="depending on this one"):
        services.intake_field_remove(field=draft.fields.get(key="allergies"), actor=manager)


# --- conditional required -----------------------------------------------------------------------


def test_a_conditional_field_is_required_only_when_shown(intake_visit, clerk):
    with pytest.raises(ValidationError) as refused:
        services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers(allergies="yes"))
    assert list(refused.value.message_dict) == ["allergy_list"]
    submission, _created = services.intake_submission_save(
        visit=intake_visit, actor=clerk, raw=good_answers(allergies="yes", allergy_list="Penicylina")
    )
    assert submission.answers["allergy_list"] == "Penicylina"


def test_the_answer_to_a_hidden_field_is_not_kept(intake_visit, clerk):
    submission, _created = services.intake_submission_save(
        visit=intake_visit, actor=clerk, raw=good_answers(allergies="no", allergy_list="typed before changing my mind")
    )
    assert "allergy_list" not in submission.answers


def test_conditions_follow_chains_of_fields():
    class F:
        def __init__(self, key, show_if_key="", show_if_value=""):
            self.key, self.kind, self.required, self.choices = key, "text", True, []
            self.show_if_key, self.show_if_value = show_if_key, show_if_value

    fields = [F("a"), F("b", "a", "x"), F("c", "b", "y")]
    assert answers.visible_keys(fields, {"a": "z", "b": "y"}) == {"a"}  # b hidden, so c hidden too
    assert answers.visible_keys(fields, {"a": "x", "b": "y"}) == {"a", "b", "c"}


def test_bad_answers_are_refused_per_field(intake_visit, clerk):
    with pytest.raises(ValidationError) as refused:
        services.intake_submission_save(
            visit=intake_visit,
            actor=clerk,
            raw={"allergies": "maybe", "smoker": "sometimes", "weight": "heavy", "signature": signature_png(False)},
        )
    errors = refused.value.message_dict
    assert set(errors) == {"allergies", "smoker", "weight", "signature"}
    assert not IntakeSubmission.objects.exists()


def test_a_phone_answer_must_be_a_phone(intake_visit, clerk):
    with pytest.raises(ValidationError) as refused:
        services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers(phone="call me"))
    assert "phone" in refused.value.message_dict


# --- submissions ---------------------------------------------------------------------------------


def test_submitting_twice_keeps_one_submission(intake_visit, clerk):
    first, created = services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers(weight="80"))
    second, created_again = services.intake_submission_save(
        visit=intake_visit, actor=clerk, raw=good_answers(weight="81,5")
    )
    assert created and not created_again
    assert first.pk == second.pk
    assert IntakeSubmission.objects.filter(visit=intake_visit).count() == 1
    assert second.answers["weight"] == "81.5"
    assert second.attachments.count() == 1  # the signature, replaced, not doubled


def test_an_accepted_form_is_final(intake_visit, clerk):
    submission, _created = services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers())
    services.intake_submission_accept(submission=submission, actor=clerk)
    with pytest.raises(ValidationError, match="already accepted"):
        services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers())
    with pytest.raises(ValidationError, match="already accepted"):
        services.intake_submission_accept(submission=submission, actor=clerk)


# --- acceptance: differences and no silent overwrite -------------------------------------------


def test_answers_that_differ_from_the_record_must_each_be_decided(intake_visit, clerk, patient):
    # given the client has phone 600 200 300 on file and answers another phone, an e-mail and a city
    submission, _created = services.intake_submission_save(
        visit=intake_visit,
        actor=clerk,
        raw=good_answers(phone="+48 600 200 300", email="jan@example.com", city="Kraków"),
    )
    rows = {
        row.client_field: row
        for row in services.review.differences(
            client=patient, fields=list(submission.form_version.fields.all()), answers=submission.answers
        )
    }
    assert not rows["phone"].differs  # the same number in another spelling
    assert rows["email"].differs and rows["city"].differs
    # when the clerk decides only the e-mail, the acceptance is refused and nothing is written
    with pytest.raises(ValidationError, match="City"):
        services.intake_submission_accept(submission=submission, actor=clerk, update={"email"})
    patient.refresh_from_db()
    assert not patient.contacts.filter(kind="email").exists()
    submission.refresh_from_db()
    assert submission.status == "filled"


def test_accepting_updates_only_what_the_clerk_chose(intake_visit, clerk, patient):
    submission, _created = services.intake_submission_save(
        visit=intake_visit,
        actor=clerk,
        raw=good_answers(phone="601 111 222", email="jan@example.com", city="Kraków"),
    )
    version_before = patient.version
    services.intake_submission_accept(submission=submission, actor=clerk, update={"phone", "email"}, keep={"city"})
    patient.refresh_from_db()
    phones = list(patient.contacts.filter(kind="phone").values_list("value", flat=True))
    assert phones[0] == "+48601111222" and "+48600200300" in phones  # new primary, old kept
    assert list(patient.contacts.filter(kind="email").values_list("value", flat=True)) == ["jan@example.com"]
    assert not patient.addresses.exists()  # the city was kept as it was (none)
    assert patient.version == version_before + 1
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert submission.client_updates["city"]["choice"] == "keep"
    entry = AuditEntry.objects.get(action="intake_submission.accept")
    assert entry.data == {"phone": "update", "email": "update", "city": "keep"}
    assert "Kraków" not in str(entry.data)


def test_a_stale_acceptance_is_refused(intake_visit, clerk):
    submission, _created = services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers())
    seen = submission.version
    services.intake_submission_save(visit=intake_visit, actor=clerk, raw=good_answers(weight="70"))
    with pytest.raises(ValidationError, match="changed by"):
        services.intake_submission_accept(submission=submission, actor=clerk, expected_version=seen)


# --- the guard -----------------------------------------------------------------------------------


def test_a_visit_does_not_start_before_its_form_is_accepted(intake_visit, clerk):
    visit = desk_services.visit_transition(visit=intake_visit, to_status=S.ARRIVED, actor=clerk)  # never blocked
    with pytest.raises(ValidationError, match="Accept the intake form"):
        desk_services.visit_transition(visit=visit, to_status=S.IN_PROGRESS, actor=clerk)
    submission, _created = services.intake_submission_save(visit=visit, actor=clerk, raw=good_answers())
    with pytest.raises(ValidationError, match="Accept the intake form"):
        desk_services.visit_transition(visit=visit, to_status=S.IN_PROGRESS, actor=clerk)
    services.intake_submission_accept(submission=submission, actor=clerk)
    visit = desk_services.visit_transition(visit=visit, to_status=S.IN_PROGRESS, actor=clerk)
    assert visit.status == S.IN_PROGRESS


def test_a_visit_type_without_a_form_is_not_guarded(clinic_visit, clerk):
    visit = desk_services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    assert desk_services.visit_transition(visit=visit, to_status=S.IN_PROGRESS, actor=clerk).status == S.IN_PROGRESS


def test_a_visit_type_takes_only_its_own_organisations_form(other_organisation, consultation, manager, admin):
    from frontoffice.desk.intake.services import intake_form_create

    foreign = intake_form_create(organisation=other_organisation, actor=None, name="Obca")
    with pytest.raises(ValidationError) as refused:
        desk_services.visit_type_update(
            visit_type=consultation, actor=manager, expected_version=None, intake_form=foreign
        )
    assert "intake_form" in refused.value.message_dict
