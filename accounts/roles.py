"""Who a signed-in person is in the campaign, what they see and what they change: one place for every role.

A person holds any of these at once:

- **office staff of every campaign** (the Django group STAFF_GROUP, and superusers): read and change
  everything, as the provincial office of a deployment with one province does;
- **organiser staff** (a Role of kind ORGANISER on an organising unit): read and change the campaigns
  that unit organises, and everything in them; the roster of cadres, the units and the localities
  are the pool every organiser plans from;
- **supervisor** (SUPERVISOR, on a province or on nothing for the whole deployment): read everything
  in that area, change nothing;
- **sending-unit focal point** (UNIT, on a unit): read their unit's cadres (its departments' too),
  where they are, their notes, escalations and reports;
- **host locality official** (LOCALITY, on a district or ward): read the cadres deployed in its
  subtree and the escalations raised there;
- **cadre** (the group CADRE_GROUP with a cadre record): their own mission.

Every model's `visible_to(user)` says, through scoped(), how each role reaches its rows, and
`managed_by(user)` through managed() which rows the user may change; pages, exports, searches,
dashboards and cached fragments start from them. The roles are read with the user (backends.py).
"""

from dataclasses import dataclass, field, replace
from functools import reduce, wraps
from operator import or_

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from shared.caching import FRAGMENT_TIMEOUT, RECORDS, cached

STAFF_GROUP = "Cán bộ văn phòng tỉnh"
CADRE_GROUP = "Cán bộ đi cơ sở"


class RoleKind(models.TextChoices):
    ORGANISER = "organiser", _("organiser staff")
    SUPERVISOR = "supervisor", _("supervisor (reads, changes nothing)")
    UNIT = "unit", _("sending-unit focal point")
    LOCALITY = "locality", _("host locality official")


# A role's reach as scoped() reads it: every row.
EVERY_ROW = "every row"


@dataclass(frozen=True)
class Scope:
    """What one person's roles reach, as ids; `key` names it in cache keys."""

    everything: bool = False  # Superusers and office staff of every campaign.
    organisers: frozenset = field(default_factory=frozenset)  # Units whose campaigns they run.
    reads_all: bool = False  # A supervisor of the whole deployment.
    supervised: frozenset = field(default_factory=frozenset)  # Localities read by a supervisor, subtrees included.
    units: frozenset = field(default_factory=frozenset)  # Sending units followed, departments included.
    area: frozenset = field(default_factory=frozenset)  # Host localities, subtrees included.
    # What a host locality that ended became (the units opened in its place): read, not acted on as host.
    followed: frozenset = field(default_factory=frozenset)
    cadre: object = None  # The user's own cadre record.
    key: str = ""

    @property
    def is_office(self) -> bool:
        """Opens the office pages (each showing what the roles reach)."""
        return bool(self.everything or self.organisers or self.reads_all or self.supervised or self.units or self.area)

    @property
    def changes(self) -> bool:
        """Changes something: organisers and office staff; supervisors, units and localities only read."""
        return bool(self.everything or self.organisers)

    @property
    def reads_notes(self) -> bool:
        """Notes and reports are the cadre's word to the organisers, their unit and the supervisors, not to the host."""
        return bool(self.everything or self.organisers or self.reads_all or self.supervised or self.units)


NO_SCOPE = Scope(key="none")


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


def is_cadre(user) -> bool:
    return user.is_authenticated and CADRE_GROUP in _group_names(user)


def cadre_of(user):
    """The cadre record of a user in the cadre role, else None: the rows a cadre sees are this record's.

    Read with the user (accounts/backends.py): no query.
    """
    return getattr(user, "cadre", None) if is_cadre(user) else None


def scope_of(user) -> Scope:
    """The user's roles as ids, read once per request (cadres.models.RoleQuerySet.reach)."""
    if not user.is_authenticated:
        return NO_SCOPE
    if not hasattr(user, "_scope"):
        cadre = cadre_of(user)
        if user.is_superuser or STAFF_GROUP in _group_names(user):
            user._scope = Scope(everything=True, cadre=cadre, key=f"all|c{getattr(cadre, 'pk', '')}")
        elif getattr(user, "has_roles", True) is False:  # Read with the user: no role, no query.
            user._scope = Scope(cadre=cadre, key=f"c{getattr(cadre, 'pk', '')}")
        else:
            reach = _roles_reach(user)
            user._scope = replace(reach, cadre=cadre, key=f"{reach.key}{getattr(cadre, 'pk', '')}")
    return user._scope


def _roles_reach(user) -> Scope:
    """The user's roles as ids (cadres.models.RoleQuerySet.reach), kept in the cache under the records' version.

    A role given or taken away, a unit's departments or a locality's wards changed: each moves that
    version when it commits (shared/caching.py), and the next request reads the roles again.
    """
    return cached("scope", user.pk, compute=lambda: user.roles.reach(), topics=(RECORDS,), timeout=FRAGMENT_TIMEOUT)


def is_staff_member(user) -> bool:
    """Opens the office pages: office staff, organisers, supervisors, sending units, host localities."""
    return scope_of(user).is_office


def is_organiser(user) -> bool:
    """Changes campaigns: office staff of every campaign and organiser staff."""
    return scope_of(user).changes


def _reach(how, ids) -> models.Q | None:
    if how is None or not ids:
        return None
    if callable(how):
        return how(ids)
    return models.Q(**{f"{how}__in": ids})


def scoped(queryset, user, *, organiser=None, supervisor=None, unit=None, locality=None, own=None):
    """`queryset` as `user` may read it: the rows any of their roles reaches.

    Each keyword says how a role reaches a row: a lookup path to the id the role holds (the
    organising unit, the locality, the cadre's unit), a function of those ids returning a
    condition, EVERY_ROW, or nothing (None: that role reaches no row). `supervisor` and `locality`
    are matched against whole subtrees. `own(cadre)` is the condition on a cadre's own rows.
    """
    scope = scope_of(user)
    if scope.everything:
        return queryset
    reaches = [(organiser, scope.organisers), (supervisor, scope.supervised), (unit, scope.units)]
    reaches.append((locality, scope.area | scope.followed))
    if any(how == EVERY_ROW and ids for how, ids in reaches) or (supervisor is not None and scope.reads_all):
        return queryset
    conditions = [_reach(how, ids) for how, ids in reaches if how != EVERY_ROW]
    if own is not None and scope.cadre is not None:
        conditions.append(own(scope.cadre))
    conditions = [condition for condition in conditions if condition is not None]
    return queryset.filter(reduce(or_, conditions)) if conditions else queryset.none()


def managed(queryset, user, organiser=None):
    """`queryset` as `user` may change it: all of it for office staff, an organiser's campaigns' rows
    (`organiser`: the lookup path to the organising unit, or EVERY_ROW for the pool they plan from)."""
    scope = scope_of(user)
    if scope.everything:
        return queryset
    if organiser is None or not scope.organisers:
        return queryset.none()
    if organiser == EVERY_ROW:
        return queryset
    return queryset.filter(**{f"{organiser}__in": scope.organisers})


def hosted(queryset, user, locality: str):
    """`queryset` as a host locality acts on it: the rows whose locality (at the lookup path `locality`)
    lies in the user's area. Nobody else: the province acts on them through managed()."""
    area = scope_of(user).area
    return queryset.filter(**{f"{locality}__in": area}) if area else queryset.none()


def hosts(user, locality_id) -> bool:
    """Whether `user` acts as the host locality of a row at that locality, as hosted() selects."""
    return locality_id in scope_of(user).area


def manages(user, organising_unit_id) -> bool:
    """Whether `user` changes the rows of a campaign of that organising unit, as managed() selects them."""
    scope = scope_of(user)
    return scope.everything or organising_unit_id in scope.organisers


def _guard(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Office pages: anonymous users go to the login page, others without an office role get 403.
staff_required = _guard(is_staff_member)
# Pages that change a campaign: organisers and office staff; read-only roles get 403.
organiser_required = _guard(is_organiser)
# The administrative map is the whole deployment's: office staff of every campaign and administrators change it.
map_keeper_required = _guard(lambda user: scope_of(user).everything)
# Pages of a host locality's own part (answering an escalation, assessing a cadre): its officials only.
host_required = _guard(lambda user: bool(scope_of(user).area))
# Deployed cadres with a cadre record only.
cadre_required = _guard(lambda user: cadre_of(user) is not None)


def role_context(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    scope = scope_of(user)
    return {
        "is_staff_member": scope.is_office,
        "is_organiser": scope.changes,
        "keeps_the_map": scope.everything,
        "reads_notes": scope.reads_notes,
        "is_host": bool(scope.area),
        "is_cadre": is_cadre(user),
    }
