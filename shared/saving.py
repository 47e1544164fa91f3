"""Saving a row whose rules the database also enforces, so that both refuse it in the same words."""

from django.db import IntegrityError, OperationalError, transaction

DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for "deadlock detected".


class CheckedSaveMixin:
    """Put before models.Model: save_checked() validates, saves, and explains a refusal by the database.

    A constraint the database enforces (a unique number, PostgreSQL's exclusion of overlapping
    dates) may refuse a row that passed full_clean(), because another request committed in
    between. The model's validation, run again, then sees that request's row and raises its
    usual ValidationError; a refusal it cannot explain is raised as it came.

    Two requests inserting conflicting rows at the same moment may each wait for the other's
    row under the exclusion constraint; PostgreSQL then stops one of them (a deadlock). That
    one tries once more: its insert now waits for the other to commit, and is refused (or
    saved) as above, instead of answering an error page.
    """

    def save_checked(self, **kwargs) -> None:
        self.full_clean()
        for last_try in (False, True):
            try:
                with transaction.atomic():
                    self.save(**kwargs)
                return
            except IntegrityError:
                self.full_clean()
                raise
            except OperationalError as error:
                if last_try or getattr(error.__cause__, "sqlstate", None) != DEADLOCK:
                    raise
