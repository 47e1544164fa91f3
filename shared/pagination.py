"""Pagination for lists of hundreds of thousands of rows (3 million daily notes nationally)."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


class BoundedPaginator(Paginator):
    """A paginator that counts at most COUNT_LIMIT rows and reads a page in two steps.

    The count stops at COUNT_LIMIT + 1: a list longer than that says "more than
    10,000" and offers its first COUNT_LIMIT rows (filters reach the others),
    where a full count of a national table took seconds.

    A page first reads the ids of its rows, sorted by the list's order with only
    the joins the filters and the order need, then the rows themselves with every
    related object: sorting thousands of narrow rows instead of wide joined ones.
    """

    COUNT_LIMIT = 10_000

    def __init__(self, object_list, per_page, *, rows=None, row_keys=("pk",), **kwargs):
        """`rows`, if given, makes the page's rows from the `row_keys` values of each (the first being the
        primary key) instead of reading them: a list whose rows are kept rendered reads only the new ones."""
        super().__init__(object_list, per_page, **kwargs)
        self.rows, self.row_keys = rows, row_keys

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by().values("pk")[: self.COUNT_LIMIT + 1].count()

    @property
    def capped(self) -> bool:
        """True when the list holds more rows than were counted."""
        return self._counted > self.COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.COUNT_LIMIT)

    @property
    def count_label(self) -> str:
        """The count as shown: "1.128", or "10.000+" when there are more."""
        return intcomma(self.count) + ("+" if self.capped else "")

    def page(self, number) -> Page:
        page = super().page(number)
        keys = list(page.object_list.values_list(*self.row_keys))
        if self.rows is not None:
            page.object_list = self.rows(keys)
            return page
        ids = [key[0] for key in keys]
        page.object_list = list(self.object_list.filter(pk__in=ids)) if ids else []
        return page


def paginate(request, queryset, per_page: int, **options) -> Page:
    """The page asked for in `?page=` (the last one if past the end, the first if not a number)."""
    return BoundedPaginator(queryset, per_page, **options).get_page(request.GET.get("page"))
