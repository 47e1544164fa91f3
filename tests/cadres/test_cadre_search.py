"""The cadre search reads Cadre.search_text: every way of writing a cadre keeps it in step."""

import pytest

from cadres.models import Cadre
from tests.factories import CadreFactory, ProvincialUnitFactory

pytestmark = pytest.mark.django_db


def found(text: str) -> set[str]:
    return set(Cadre.objects.search(text).values_list("code", flat=True))


def test_save_keeps_the_folded_name_code_and_phone():
    cadre = CadreFactory(code="TD-001", full_name="Trương Đinh Ngọc Mai", phone="0912 345 678")
    assert cadre.search_text == "truong dinh ngoc mai td-001 0912 345 678"
    cadre.full_name = "Đặng Thị Lan"
    cadre.save(update_fields=["full_name"])
    assert found("dang lan") == {"TD-001"} and found("ngoc mai") == set()


def test_bulk_create_and_bulk_update_keep_it_too():
    unit = ProvincialUnitFactory()
    Cadre.objects.bulk_create([Cadre(code="R-1", full_name="Lê Văn Tám", unit=unit)])
    assert found("le van tam") == {"R-1"}
    cadre = Cadre.objects.get(code="R-1")
    cadre.phone = "0274 3822 123"
    Cadre.objects.bulk_update([cadre], ["phone"])
    assert found("02743822123") == {"R-1"} and found("tam 3822") == {"R-1"}


def test_every_word_must_appear_and_short_words_count():
    CadreFactory(code="A", full_name="Lê Thị Mai")
    CadreFactory(code="B", full_name="Trần Thị Mai")
    assert found("le") == {"A"}
    assert found("thi mai") == {"A", "B"}
    assert found("tran mai") == {"B"}
    assert found("mai 100%") == set()  # a LIKE wildcard is text, not "anything"
