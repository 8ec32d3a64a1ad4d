"""The feedback API: surveys with their questions, invitations sent by hand (consent applies), responses."""

import json

from frontoffice.feedback import services
from frontoffice.feedback.choices import InviteChannel


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_survey_is_read_with_its_current_versions_questions(login, clerk, csat):
    answer = login(clerk).get(f"/api/v1/feedback/surveys/{csat.pk}").json()

    assert answer["kind"] == "csat"
    assert [q["kind"] for q in answer["current_version"]["questions"]] == ["scale", "text"]
    assert answer["current_version"]["questions"][0]["scale_max"] == 5


def test_a_survey_is_sent_by_hand_once_for_one_idempotency_key(login, clerk, csat, branch, patient):
    client = login(clerk)
    body = {"survey_id": csat.pk, "branch_id": branch.pk, "client_id": patient.pk, "channel": "email"}

    first = _post(client, "/api/v1/feedback/invitations", body, **{"Idempotency-Key": "k-1"})
    again = _post(client, "/api/v1/feedback/invitations", body, **{"Idempotency-Key": "k-1"})

    assert first.status_code == 201 and first.json()["status"] == "scheduled"
    assert again.json()["id"] == first.json()["id"]


def test_a_client_asked_recently_is_refused_with_the_reason(login, clerk, csat, branch, patient):
    client = login(clerk)
    body = {"survey_id": csat.pk, "branch_id": branch.pk, "client_id": patient.pk, "channel": "email"}
    _post(client, "/api/v1/feedback/invitations", body)

    refused = _post(client, "/api/v1/feedback/invitations", body)

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "client"


def test_responses_are_listed_with_their_version_and_filtered_by_band(login, manager, csat, branch, patient, clerk):
    invitation = services.invitation_create_manual(
        survey=csat, branch=branch, client=patient, channel=InviteChannel.EMAIL, actor=clerk
    )
    main = invitation.survey_version.questions.get(is_main=True)
    services.response_save(invitation=invitation, answers={f"q{main.pk}": "5"}, submit=True)
    client = login(manager)

    listed = client.get("/api/v1/feedback/responses").json()
    low = client.get("/api/v1/feedback/responses", {"kind": "csat", "band": "low"}).json()

    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["score"], item["survey_version_id"], item["is_complete"]) == (5, invitation.survey_version_id, True)
    assert item["answers"][0]["score"] == 5
    assert low["count"] == 0


def test_an_outsider_cannot_read_a_response(login, outsider_branch, csat, branch, patient, clerk):
    invitation = services.invitation_create_manual(
        survey=csat, branch=branch, client=patient, channel=InviteChannel.EMAIL, actor=clerk
    )
    main = invitation.survey_version.questions.get(is_main=True)
    response = services.response_save(invitation=invitation, answers={f"q{main.pk}": "4"}, submit=True).response

    assert login(outsider_branch).get(f"/api/v1/feedback/responses/{response.pk}").status_code == 404
