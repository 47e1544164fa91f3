import datetime
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import ONE_NOTE_A_DAY, DailyNote, Health
from reports.services import note_submit
from tests.factories import AssignmentFactory, CadreUserFactory, DailyNoteFactory

NEW = reverse("reports:note_create")


def note_data(client_key: str, **overrides) -> dict:
    return {
        "day": timezone.localdate().isoformat(),
        "activities": ["testing"],
        "situation": "Ổn định.",
        "health": Health.WELL,
        "client_key": client_key,
        **overrides,
    }


@pytest.mark.django_db
def test_posting_twice_with_the_same_key_files_one_note_with_the_later_text(cadre_client, current_mission):
    """The phone saved the note again before it knew the first send had arrived: the same note, as last written."""
    key = str(uuid.uuid4())
    first = cadre_client.post(NEW, note_data(key))
    second = cadre_client.post(NEW, note_data(key, situation="gửi lại"))
    note = DailyNote.objects.get()
    assert first.url == second.url == reverse("reports:note_detail", args=[note.pk])
    assert note.situation == "gửi lại"


@pytest.mark.django_db
def test_a_json_retry_with_the_same_key_answers_the_same_note(cadre_client, current_mission):
    key = str(uuid.uuid4())
    answers = [cadre_client.post(NEW, note_data(key), HTTP_ACCEPT="application/json") for _ in range(3)]
    note = DailyNote.objects.get()
    url = reverse("reports:note_detail", args=[note.pk])
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [(answer.json()["ok"], answer.json()["url"]) for answer in answers] == [(True, url)] * 3


@pytest.mark.django_db
def test_a_retry_after_the_day_was_filed_is_not_an_error(cadre_client, current_mission):
    """The form would refuse the day as already filed; the key says it is the same submission."""
    key = str(uuid.uuid4())
    cadre_client.post(NEW, note_data(key))
    response = cadre_client.post(NEW, note_data(key), HTTP_ACCEPT="application/json")
    assert response.json()["ok"] is True


@pytest.mark.django_db
def test_the_service_returns_the_stored_note_for_a_known_key(current_mission):
    key = uuid.uuid4()
    day = timezone.localdate()
    note, created = note_submit(assignment=current_mission, day=day, data={"situation": "a"}, client_key=key)
    again, created_again = note_submit(assignment=current_mission, day=day, data={"situation": "b"}, client_key=key)
    assert (created, created_again) == (True, False)
    assert again == note and DailyNote.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_the_day_in_the_constraints_words_when_it_loses_the_race(current_mission):
    """A concurrent submission with another key got the day first: the unique constraint decides, and the
    refusal is the one the model's validation gives (ONE_NOTE_A_DAY), on the day."""
    day = timezone.localdate()
    winner = DailyNoteFactory(assignment=current_mission, day=day, client_key=uuid.uuid4(), situation="trước")
    with pytest.raises(ValidationError) as refused:
        note_submit(assignment=current_mission, day=day, data={"situation": "sau"}, client_key=uuid.uuid4())
    [error] = refused.value.error_dict["day"]
    assert error.code == "exists"
    with pytest.raises(ValidationError) as validated:
        DailyNote(assignment=current_mission, day=day).full_clean()
    assert refused.value.messages == validated.value.messages == [str(ONE_NOTE_A_DAY.violation_error_message)]
    assert list(DailyNote.objects.values_list("pk", "situation")) == [(winner.pk, "trước")]


@pytest.mark.django_db
def test_a_key_of_another_cadre_is_refused(cadre_client, current_mission, other_cadre):
    theirs = AssignmentFactory(cadre=other_cadre, starts_on=current_mission.starts_on)
    key = uuid.uuid4()
    DailyNoteFactory(assignment=theirs, day=timezone.localdate(), client_key=key)
    response = cadre_client.post(NEW, note_data(str(key)))
    assert response.status_code == 200
    assert response.context["form"].has_error("client_key", "key_taken")
    assert DailyNote.objects.filter(assignment=current_mission).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_the_same_key_file_one_note():
    cadre = CadreUserFactory()
    AssignmentFactory(cadre=cadre, starts_on=timezone.localdate() - datetime.timedelta(days=5))
    key = str(uuid.uuid4())
    start = threading.Barrier(4)
    answers = []

    def post():
        client = Client(HTTP_ACCEPT="application/json")
        client.force_login(cadre.user)
        start.wait()
        try:
            answers.append(client.post(NEW, note_data(key)))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    note = DailyNote.objects.get()
    assert str(note.client_key) == key
    url = reverse("reports:note_detail", args=[note.pk])
    assert [(answer.json()["ok"], answer.json()["url"]) for answer in answers] == [(True, url)] * 4


@pytest.mark.django_db
def test_a_note_without_key_that_loses_the_day_to_another_keeps_its_text(cadre_client, current_mission):
    """Nothing checks the day before the INSERT: the second of two keyless submissions meets the first note
    there, and is refused in the constraint's words; its text stays on the phone."""
    winner = DailyNoteFactory(assignment=current_mission, day=timezone.localdate(), situation="người kia gửi trước")
    response = cadre_client.post(NEW, note_data("", situation="của tôi"), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["day"] == [{"message": str(ONE_NOTE_A_DAY.violation_error_message), "code": "exists"}]
    assert body["message"] == str(ONE_NOTE_A_DAY.violation_error_message)
    assert list(DailyNote.objects.values_list("pk", "situation")) == [(winner.pk, "người kia gửi trước")]
