"""Saving a row whose rules the database also enforces, so that both refuse it in the same words."""

from django.db import IntegrityError, transaction


class CheckedSaveMixin:
    """Put before models.Model: save_checked() validates, saves, and explains a refusal by the database.

    A constraint the database enforces (a unique number, PostgreSQL's exclusion of overlapping
    dates) may refuse a row that passed full_clean(), because another request committed in
    between. The model's validation, run again, then sees that request's row and raises its
    usual ValidationError; a refusal it cannot explain is raised as it came.
    """

    def save_checked(self, **kwargs) -> None:
        self.full_clean()
        try:
            with transaction.atomic():
                self.save(**kwargs)
        except IntegrityError:
            self.full_clean()
            raise
