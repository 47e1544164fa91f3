import datetime
import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst

from tests.factories import AssignmentFactory, EscalationFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"cadres", "localities", "reports"}
OUR_MODELS = [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


def test_every_model_is_registered():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            # Audit history is read from its object's admin page ("History"), not registered on its own.
            if issubclass(model, HistoricalChanges):
                continue
            assert model in admin.site._registry, model


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_render_with_the_demo(admin_client, model, django_assert_max_num_queries):
    call_command("seed_demo", stdout=io.StringIO())
    info = model._meta.app_label, model._meta.model_name
    with django_assert_max_num_queries(20):
        response = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        assert admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200


def test_admin_speaks_vietnamese(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "Đồng hành – quản trị" in response.content.decode()


def test_admin_third_party_parts_speak_vietnamese(admin_client):
    """django-axes, Django admin strings its Vietnamese catalog lacks, and the history button."""
    page = admin_client.get(reverse("admin:index")).content.decode()
    with translation.override("vi"):
        for text in ["access attempts", "access failures", "access logs", "Toggle theme (current theme: auto)"]:
            assert translation.gettext(text) != text, text
            assert capfirst(translation.gettext(text)) in page, text
    for english in ["Access attempts", "Access failures", "Access logs", "Toggle theme"]:
        assert english not in page, english
    assert "Lần thử đăng nhập" in page

    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Hiện số lượng" in changelist or "Ẩn số lượng" in changelist
    for english in ["Show counts", "Hide counts", "IP Address", "Attempt Time"]:
        assert english not in changelist, english


def test_admin_history_is_vietnamese_with_vietnamese_dates(admin_client):
    assignment = AssignmentFactory()
    old_end = assignment.ends_on
    assignment.ends_on = old_end + datetime.timedelta(days=10)
    assignment.save()
    assignment.recalled_on = assignment.starts_on + datetime.timedelta(days=5)
    assignment.save()

    change = admin_client.get(reverse("admin:cadres_assignment_change", args=[assignment.pk])).content.decode()
    assert "Lịch sử" in change
    assert "Bản ghi nhớ" not in change

    page = admin_client.get(reverse("admin:cadres_assignment_history", args=[assignment.pk])).content.decode()
    with translation.override("vi"):
        for text in ["Choose a date from the list below to revert to a previous version of this object.", "Changed by"]:
            assert translation.gettext(text) != text, text
            assert translation.gettext(text) in page, text
        old_day = date_format(old_end, "SHORT_DATE_FORMAT")
        new_day = date_format(assignment.ends_on, "SHORT_DATE_FORMAT")
    for english in ["Choose a date", "Changed by", "Change reason", ">Object<"]:
        assert english not in page, english
    assert old_day in page and new_day in page
    assert old_day == old_end.strftime("%d/%m/%Y")
    assert old_end.isoformat() not in page
    assert assignment.ends_on.isoformat() not in page
    # An empty value (the recall day before the recall) reads "—", not None.
    recalled = date_format(assignment.recalled_on, "SHORT_DATE_FORMAT")
    assert f"— &nbsp;&rarr;&nbsp;&nbsp;{recalled}" in " ".join(page.split())
    assert "None" not in page[page.find('id="change-history"') :]


def test_admin_history_shows_a_moment_in_local_time_as_dd_mm_yyyy(admin_client):
    """A date and time changed (an escalation answered) reads as the pages write it, not as ISO in UTC."""
    escalation = EscalationFactory(note=None)
    answered = timezone.make_aware(datetime.datetime(2021, 8, 25, 3, 30), datetime.UTC)  # 10:30 in Vietnam.
    escalation.answer, escalation.answered_at = "Đã điều động 10 nhân viên y tế.", answered
    escalation.save()
    page = admin_client.get(reverse("admin:reports_escalation_history", args=[escalation.pk])).content.decode()
    history = " ".join(page[page.find('id="change-history"') :].split())
    with translation.override("vi"):
        local = date_format(timezone.localtime(answered), "SHORT_DATETIME_FORMAT")
    assert local == "10:30 25/08/2021" and local in history
    assert "2021-08-25" not in history and "+00:00" not in history
