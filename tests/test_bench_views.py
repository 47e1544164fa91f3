import importlib

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import deployment.urls
from shared import bench_views


def _reload_urls():
    clear_url_caches()
    return importlib.reload(deployment.urls)


@pytest.fixture
def benchmark_urls():
    with override_settings(BENCHMARK=True):
        _reload_urls()
        yield
    _reload_urls()


def test_the_bare_page_is_not_served_outside_a_benchmark():
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")


@pytest.mark.django_db
def test_the_bare_page_renders_fifty_rows_without_a_query(benchmark_urls, client, django_assert_num_queries):
    assert resolve("/bench/bare/").func is bench_views.bare

    with django_assert_num_queries(0):
        response = client.get("/bench/bare/")

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 51
