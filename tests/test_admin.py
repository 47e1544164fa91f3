import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

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
