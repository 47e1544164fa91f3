"""The assignment decision's content as plain data, in the order and wording of the printed page.

Built once from the decision, its list and the decisions linked to it; the print page
(templates/cadres/decision_print.html) and the Word and PDF writers only place it on the page. The text is
Vietnamese whatever the interface language: it is an official act.
"""

import datetime
from dataclasses import dataclass

from cadres.models import NATIONAL_MOTTO, AmendmentKind, Assignment, Decision, Letterhead, UnitKind
from shared.vietnamese import place_and_date

# A4 and the margins of Decree 30/2020/NĐ-CP (top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm),
# as print.css sets them for the browser.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
# Sizes in points: the body 14, the letterhead's issuer and number 13, the annexed table 12, recipients 11.
BODY_PT, HEADING_PT, TABLE_PT, RECIPIENTS_TITLE_PT, RECIPIENTS_PT = 14, 13, 12, 12, 11
ANNEX_HEADER = ["STT", "Họ và tên", "Đơn vị", "Địa bàn", "Cơ quan tiếp nhận", "Từ ngày", "Đến ngày"]
# Their widths in millimetres, 165 in all (the text width): a date at 12 pt needs 19.3 mm and its padding.
ANNEX_WIDTHS_MM = (11, 31, 29, 28, 23, 21.5, 21.5)


@dataclass(frozen=True)
class Article:
    label: str  # "Điều 1.", set in bold
    text: str


@dataclass(frozen=True)
class AnnexRow:
    number: str
    name: str
    position: str
    unit: str
    locality: str
    host: str
    starts_on: str
    ends_on: str

    @property
    def cells(self) -> list[str]:
        name = f"{self.name}\n{self.position}" if self.position else self.name
        return [self.number, name, self.unit, self.locality, self.host, self.starts_on, self.ends_on]


@dataclass(frozen=True)
class DecisionLayout:
    letterhead: Letterhead
    issuer_share: float  # of the text width, for the letterhead's left column
    number_line: str
    place_and_date: str
    annulled: list[str]  # "ĐÃ BỊ BÃI BỎ" and by which decision, above the title of an annulled decision
    title: str
    summary: str
    authority_line: str
    legal_bases: list[str]
    decides: str
    articles: list[Article]
    recipients_title: str
    recipients: list[str]
    signing_authority: str
    signer_position: str
    signer_name: str
    annex_title: str
    annex_subtitle: str
    annex_header: list[str]
    annex_rows: list[AnnexRow]
    filename_stem: str


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _cited(decision: Decision) -> str:
    """'Quyết định số 12-QĐ/TĐTN-BTC ngày 16/08/2021 của Tỉnh đoàn Bình Dương'."""
    return f"Quyết định số {decision.reference} ngày {_day(decision.signed_on)} của {decision.issuing_unit.name}"


# Signing on behalf of ("thay mặt", "ký thay", ...) is written before the authority; the title line omits it.
SIGNING_PREFIXES = ("TM.", "T/M", "KT.", "K/T", "TL.", "T/L", "TUQ.", "Q.")


def authority_line(decision: Decision) -> str:
    """The line under the summary naming who decides, e.g. 'BAN THƯỜNG VỤ TỈNH ĐOÀN BÌNH DƯƠNG'."""
    unit = decision.issuing_unit
    body = (unit.issuing_body if unit.kind != UnitKind.YOUTH_UNION and unit.issuing_body else unit.name).upper()
    authority = decision.signing_authority.strip().upper()
    for prefix in SIGNING_PREFIXES:
        if authority.startswith(prefix):
            authority = authority[len(prefix) :].strip()
            break
    if not authority or authority in body:
        return body
    return f"{authority} {body}"


def _place_and_date(decision: Decision) -> str:
    """'Bình Dương, ngày 16 tháng 8 năm 2021': the place of the issuing unit, else of the unit it belongs to."""
    unit = decision.issuing_unit
    return place_and_date(unit.place or (unit.parent.place if unit.parent_id else ""), decision.signed_on)


def _articles(decision: Decision, assignments: list[Assignment], amended: Decision | None) -> list[Article]:
    closing = "Quyết định thi hành. Quyết định có hiệu lực kể từ ngày ký."
    if amended and not assignments:
        verb = "Bãi bỏ" if decision.amendment_kind == AmendmentKind.ANNUL else "Sửa đổi, bổ sung"
        return [
            Article("Điều 1.", f"{verb} {_cited(amended)} {amended.summary.lower()}."),
            Article("Điều 2.", f"Văn phòng, các ban, đơn vị có liên quan căn cứ {closing}"),
        ]
    opening = f"Sửa đổi, bổ sung {_cited(amended)}: phân công bổ sung" if amended else "Phân công"
    period = ""
    if assignments:
        first_day = min(assignment.starts_on for assignment in assignments)
        last_day = max(assignment.ends_on for assignment in assignments)
        period = f", thời gian từ ngày {_day(first_day)} đến ngày {_day(last_day)}"
    tasks = list(dict.fromkeys(assignment.tasks for assignment in assignments if assignment.tasks))
    duties = "; ".join(tasks) if tasks else "hỗ trợ cơ sở theo sự phân công của cơ quan, đơn vị tiếp nhận."
    return [
        Article(
            "Điều 1.",
            f"{opening} {len(assignments)} đồng chí có tên trong danh sách kèm theo về hỗ trợ cơ sở tại các địa bàn "
            f"được phân công{period} (mỗi đồng chí {decision.campaign.assignment_days} ngày), cùng ở, cùng làm "
            "việc tại cơ quan, đơn vị tiếp nhận.",
        ),
        Article(
            "Điều 2.",
            f"Các đồng chí có tên tại Điều 1 có nhiệm vụ: {duties} Kết thúc thời gian được phân công, các đồng chí "
            f"báo cáo kết quả thực hiện nhiệm vụ, kèm theo đề xuất, kiến nghị về {decision.issuing_unit.name}.",
        ),
        Article(
            "Điều 3.",
            "Văn phòng, các ban, đơn vị có liên quan, cơ quan, đơn vị tiếp nhận và các đồng chí có tên tại Điều 1 "
            f"căn cứ {closing}",
        ),
    ]


def _annex_row(number: int, assignment: Assignment) -> AnnexRow:
    cadre, unit, place = assignment.cadre, assignment.cadre.unit, assignment.locality
    return AnnexRow(
        number=str(number),
        name=cadre.full_name,
        position=cadre.position,
        unit=f"{unit.name}, {unit.parent.name}" if unit.parent_id else unit.name,
        locality=f"{place.display_name}, {place.parent.display_name}" if place.parent_id else place.display_name,
        host=assignment.host_organisation,
        starts_on=_day(assignment.starts_on),
        ends_on=_day(assignment.ends_on),
    )


def filename_stem(decision: Decision) -> str:
    """'quyet-dinh-12-2021': ASCII, named as the signed scan's download is."""
    return f"quyet-dinh-{decision.number}-{decision.year}"


def decision_layout(
    decision: Decision, *, assignments: list[Assignment], amended: Decision | None, annulment: Decision | None
) -> DecisionLayout:
    """The document of `decision` (read with its issuing unit and that unit's parent), listing `assignments`
    (read with their cadre's unit and their place, named as on the day it was signed), amending `amended`
    and annulled by `annulment`, as the decision's views gather them (views/decisions.py).

    The national motto's first line needs 96 mm at 13 pt, so the issuer's column takes 40 % of the width
    there (a long issuer wraps, as on paper); the Party's and the Youth Union's one-line heading leaves half.
    """
    letterhead = decision.issuing_unit.letterhead
    return DecisionLayout(
        letterhead=letterhead,
        issuer_share=0.4 if letterhead.motto_lines == NATIONAL_MOTTO else 0.5,
        number_line=decision.number_line,
        place_and_date=_place_and_date(decision),
        annulled=["ĐÃ BỊ BÃI BỎ", f"theo {_cited(annulment)}"] if annulment else [],
        title="QUYẾT ĐỊNH",
        summary=decision.summary,
        authority_line=authority_line(decision),
        legal_bases=_lines(decision.legal_bases),
        decides="QUYẾT ĐỊNH:",
        articles=_articles(decision, assignments, amended),
        recipients_title="Nơi nhận:",
        recipients=_lines(decision.recipients),
        signing_authority=decision.signing_authority,
        signer_position=decision.signer_position,
        signer_name=decision.signer_name,
        annex_title="DANH SÁCH CÁN BỘ ĐƯỢC PHÂN CÔNG",
        annex_subtitle=f"(Kèm theo {_cited(decision)})",
        annex_header=ANNEX_HEADER,
        annex_rows=[_annex_row(number, assignment) for number, assignment in enumerate(assignments, start=1)],
        filename_stem=filename_stem(decision),
    )
