"""The searches and orders of the pages, the way people type (run on both databases)."""

import pytest
from django.urls import reverse

from tests.factories import CadreFactory, DailyNoteFactory, EscalationFactory, LocalityFactory

pytestmark = pytest.mark.django_db


def _shown(response, *names):
    content = response.content.decode()
    return [name for name in names if name in content]


@pytest.mark.parametrize("query", ["dang", "ĐẶNG", "Dang Van"])
def test_the_cadre_list_finds_dang_without_accents(staff_client, query):
    CadreFactory(full_name="Đặng Văn An")
    CadreFactory(full_name="Nguyễn Tùng Lâm")
    response = staff_client.get(reverse("cadres:cadre_list"), {"q": query})
    assert _shown(response, "Đặng Văn An", "Nguyễn Tùng Lâm") == ["Đặng Văn An"]


def test_the_cadre_list_is_in_vietnamese_roster_order(staff_client):
    for name in ["Trịnh Đức Tài", "Trương Đinh Ngọc Mai", "Đặng Văn An", "Lâm Thái Nguyên", "Nguyễn Tùng Lâm"]:
        CadreFactory(full_name=name)
    content = staff_client.get(reverse("cadres:cadre_list")).content.decode()
    order = ["Đặng Văn An", "Nguyễn Tùng Lâm", "Trương Đinh Ngọc Mai", "Lâm Thái Nguyên", "Trịnh Đức Tài"]
    assert sorted(order, key=content.index) == order


@pytest.mark.parametrize("query", ["thu dau mot", "THỦ DẦU MỘT", "Thu Dau Mot"])
def test_the_locality_list_finds_thu_dau_mot_as_typed(staff_client, query):
    LocalityFactory(name="Thủ Dầu Một")
    LocalityFactory(name="Dĩ An")
    response = staff_client.get(reverse("cadres:locality_list"), {"q": query})
    assert _shown(response, "Thủ Dầu Một", "Dĩ An") == ["Thủ Dầu Một"]


def test_the_cadre_suggestions_ignore_accents(staff_client):
    CadreFactory(full_name="Trương Đinh Ngọc Mai", code="TD-001")
    results = staff_client.get(reverse("cadres:cadre_search"), {"q": "truong dinh"}).json()["results"]
    assert [result["value"] for result in results] == ["TD-001"]


def test_the_notes_inbox_searches_note_text_without_accents(staff_client):
    DailyNoteFactory(situation="Nhiều cán bộ phường mắc Covid-19")
    DailyNoteFactory(situation="Tình hình ổn định")
    response = staff_client.get(reverse("reports:notes_inbox"), {"q": "mac covid"})
    assert 'data-count="1"' in response.content.decode()


def test_the_escalation_inbox_searches_subjects_without_accents(staff_client):
    EscalationFactory(subject="Thiếu bộ xét nghiệm nhanh", description="Cần 500 bộ.")
    EscalationFactory(subject="Cần thêm lương thực", description="Gạo và rau cho khu phong tỏa.")
    response = staff_client.get(reverse("reports:escalation_inbox"), {"q": "XET NGHIEM"})
    assert _shown(response, "Thiếu bộ xét nghiệm nhanh", "Cần thêm lương thực") == ["Thiếu bộ xét nghiệm nhanh"]
