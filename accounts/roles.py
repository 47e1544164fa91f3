"""The two roles of the app, as Django groups, and the decorators that guard views.

Administrators are superusers and may do everything staff may do.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

STAFF_GROUP = "Cán bộ văn phòng tỉnh"
CADRE_GROUP = "Cán bộ đi cơ sở"


def _group_names(user) -> set[str]:
    # Cached on the user object: templates and decorators ask several times per request.
    if not hasattr(user, "_group_names"):
        if hasattr(user, "in_staff_group"):  # Read with the user (accounts/backends.py).
            flags = {STAFF_GROUP: user.in_staff_group, CADRE_GROUP: user.in_cadre_group}
            user._group_names = {name for name, member in flags.items() if member}
        elif user.is_authenticated:
            user._group_names = set(user.groups.values_list("name", flat=True))
        else:
            user._group_names = set()
    return user._group_names


def is_staff_member(user) -> bool:
    return user.is_authenticated and (user.is_superuser or STAFF_GROUP in _group_names(user))


def is_cadre(user) -> bool:
    return user.is_authenticated and CADRE_GROUP in _group_names(user)


def cadre_of(user):
    """The cadre record of a user in the cadre role, else None: the rows a cadre sees are this record's.

    Read with the user (accounts/backends.py): no query.
    """
    return getattr(user, "cadre", None) if is_cadre(user) else None


def scoped(queryset, user, own):
    """`queryset` as `user` may read it: all of it for staff, `own(cadre)` for a cadre, none of it for anyone else.

    Every model's `visible_to(user)` says through here what a cadre's own rows are, so
    the roles meet the querysets in one place.
    """
    if is_staff_member(user):
        return queryset
    cadre = cadre_of(user)
    return own(cadre) if cadre is not None else queryset.none()


def staff_required(view):
    """Provincial staff only: anonymous users go to the login page, others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def cadre_required(view):
    """Deployed cadres with a cadre record only."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if cadre_of(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def role_context(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"is_staff_member": is_staff_member(user), "is_cadre": is_cadre(user)}
