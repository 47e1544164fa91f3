import pytest

from cadres.models import Cadre
from localities.models import Locality
from shared.vietnamese import NameKey, fold, name_key, search_filter
from tests.factories import CadreFactory, LocalityFactory

NAMES = [
    "Trương Đinh Ngọc Mai",
    "Nguyễn Tùng Lâm",
    "Lâm Thái Nguyên",
    "Trịnh Đức Tài",
    "Đặng Văn An",
    "Nguyễn Thị Ánh",
    "Lê Văn Ân",
    "Phạm Thị Ăn",
    "Trần Văn Đức",
    "Hồ Văn Dũng",
    "Võ Thị Anh",
]
# Given names first, as words (An < Anh < Ánh < Ăn < Ân < Dũng < Đức < Lâm < Mai < Nguyên < Tài),
# then the rest; Vietnamese alphabetical order, the tone deciding between words spelt alike.
EXPECTED_ORDER = [
    "Đặng Văn An",
    "Võ Thị Anh",
    "Nguyễn Thị Ánh",
    "Phạm Thị Ăn",
    "Lê Văn Ân",
    "Hồ Văn Dũng",
    "Trần Văn Đức",
    "Nguyễn Tùng Lâm",
    "Trương Đinh Ngọc Mai",
    "Lâm Thái Nguyên",
    "Trịnh Đức Tài",
]


def test_fold_removes_tones_marks_and_case():
    assert fold("Thủ Dầu Một") == "thu dau mot"
    assert fold("THỦ DẦU MỘT") == "thu dau mot"
    assert fold("Đặng") == "dang"
    assert fold("Nguyễn Thị Ánh") == "nguyen thi anh"


def test_names_sort_by_given_name_in_vietnamese_order_in_python():
    assert sorted(NAMES, key=name_key) == EXPECTED_ORDER


@pytest.mark.django_db
def test_the_database_sorts_names_the_same_way():
    for name in NAMES:
        CadreFactory(full_name=name)
    ordered = list(Cadre.objects.order_by(NameKey("full_name")).values_list("full_name", flat=True))
    assert ordered == EXPECTED_ORDER


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["thu dau mot", "THỦ DẦU MỘT", "Thu Dau Mot", "dầu một", "THU DAU"])
def test_locality_search_ignores_diacritics_and_case(query):
    LocalityFactory(name="Thủ Dầu Một")
    LocalityFactory(name="Dĩ An")
    found = Locality.objects.filter(search_filter(query, "name")).values_list("name", flat=True)
    assert list(found) == ["Thủ Dầu Một"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["dang", "ĐẶNG", "dang van an", "an dang"])
def test_dang_finds_dang_with_a_stroke(query):
    CadreFactory(full_name="Đặng Văn An")
    CadreFactory(full_name="Nguyễn Tùng Lâm")
    assert list(Cadre.objects.filter(search_filter(query, "full_name")).values_list("full_name", flat=True)) == [
        "Đặng Văn An"
    ]


@pytest.mark.django_db
def test_search_treats_like_wildcards_as_text():
    CadreFactory(full_name="Nguyễn Văn 100%")
    CadreFactory(full_name="Nguyễn Văn A_B")
    CadreFactory(full_name="Nguyễn Văn Khác")
    assert Cadre.objects.filter(search_filter("100%", "full_name")).count() == 1
    assert Cadre.objects.filter(search_filter("a_b", "full_name")).count() == 1


@pytest.mark.django_db
def test_the_sql_functions_equal_the_python_ones_for_every_letter():
    from django.db import connection

    from shared.vietnamese import FOLD_FROM

    samples = [FOLD_FROM, "Trương  Đinh Ngọc Mai", " Ánh ", "Ỷ Lan", "Nguyễn Văn-Tèo 2"]
    with connection.cursor() as cursor:
        for text in samples:
            cursor.execute("SELECT dh_fold(%s), dh_name_key(%s)", [text, text])
            assert cursor.fetchone() == (fold(text), name_key(text))


def test_numbers_and_dates_read_the_vietnamese_way():
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load humanize %}{{ n|intcomma }} cán bộ · {{ d|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("vi"):
        rendered = template.render(Context({"n": 1128, "d": datetime.date(2021, 8, 16)}))
    assert rendered == "1.128 cán bộ · 16/08/2021"


@pytest.mark.parametrize(
    "typed, written",
    [("+84 912.345.678", "0912 345 678"), ("84912345678", "0912 345 678"), ("0274-3822-123", "0274 3822 123")],
)
def test_phone_numbers_are_written_the_vietnamese_way(typed, written):
    from shared.vietnamese import phone_number

    assert phone_number(typed) == written


@pytest.mark.parametrize("typed", ["12345", "+1 202 555 0100", "09x2 345 678", "０９１２３４５６７８"])
def test_what_is_not_a_vietnamese_phone_number(typed):
    from shared.vietnamese import phone_number

    assert phone_number(typed) is None
