"""Django's model backend, reading with the user what every page asks about them."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from accounts.roles import CADRE_GROUP, STAFF_GROUP
from shared.caching import RECORDS, TIMEOUT, cached


def _member_of(name: str) -> Exists:
    return Exists(Group.objects.filter(name=name, user=OuterRef("pk")))


class UserBackend(ModelBackend):
    """Signs in as ModelBackend does; each request's user comes with its roles and cadre record.

    One query instead of four: the user, the groups (every view's role check,
    accounts/roles.py), the cadre record (every cadre page) and whether they hold
    a role, whose reach (accounts.roles.scope_of) is read only then. The user is
    kept in the cache under the records' version, which every save of a user, of
    their groups, roles or cadre record moves on (shared/caching.py): a request
    reads it from there, and a password changed, an account deactivated or a role
    taken away counts from the next request, on every server.
    """

    def get_user(self, user_id):
        user = cached(
            "user", user_id, compute=lambda: self._read_user(user_id), topics=(RECORDS,), timeout=TIMEOUT
        )  # A minute at most: were a version update ever to fail, an account change would count within it.
        return user if user is not None and self.user_can_authenticate(user) else None

    def _read_user(self, user_id):
        return next(iter(_users_with_roles().filter(pk=user_id)), None)


@functools.cache
def _users_with_roles():
    """Users with their cadre record and what their roles are; built once, filtered (a copy) per read."""
    User = get_user_model()
    # The roles' model (cadres.Role) is reached through the relation: accounts imports nothing above it.
    roles = User._meta.get_field("roles").related_model.objects.filter(user=OuterRef("pk"))
    return User._default_manager.select_related("cadre").annotate(
        in_staff_group=_member_of(STAFF_GROUP),
        in_cadre_group=_member_of(CADRE_GROUP),
        has_roles=Exists(roles),
    )
