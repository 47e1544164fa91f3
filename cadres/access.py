"""One access helper per object kind of the cadres and localities pages, on Model.objects.visible_to(user).

Each returns the object with what its pages show, or answers 404 for anything outside
the user's scope, so that a URL of someone else's reveals nothing. With `for_change`, the
scope is what the user may change (Model.objects.managed_by): a page that changes an object
checks it again on every request, GET and POST.
"""

import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.roles import cadre_of, scope_of
from cadres.models import Assignment, Cadre, Campaign, Decision, Role, RosterUpload, accounts_managed_by
from localities.models import Locality, as_on
from shared.caching import FRAGMENT_TIMEOUT, cached

# What an assignment's staff pages show: the people, the place, the decision and the replacements either side.
ASSIGNMENT_PAGE = (
    "cadre__unit__parent",
    "locality__parent",
    "campaign",
    "decision__issuing_unit",
    "replaced_by__cadre",
    "replaced_by__locality",
    "replaces__cadre",
    "replaces__locality",
)


def scope_for(model, request, for_change: bool):
    """`model`'s rows the user reads (visible_to), or with `for_change` may change (managed_by)."""
    manager = model.objects
    return manager.managed_by(request.user) if for_change else manager.visible_to(request.user)


def get_assignment_for_user(
    request, pk, *, related: tuple[str, ...] = ASSIGNMENT_PAGE, for_change: bool = False
) -> Assignment:
    """The assignment, read with `related` (the relations the calling page shows)."""
    return get_object_or_404(scope_for(Assignment, request, for_change).select_related(*related), pk=pk)


def is_own_assignment(user, assignment: Assignment) -> bool:
    """Whether `assignment` is the user's own mission, which they write about, rather than one they read as staff."""
    cadre = cadre_of(user)
    return cadre is not None and assignment.cadre_id == cadre.pk


def get_cadre_for_user(request, pk, *, for_change: bool = False) -> Cadre:
    return get_object_or_404(scope_for(Cadre, request, for_change).select_related("unit__parent", "user"), pk=pk)


def get_campaign_for_user(request, pk, *, for_change: bool = False) -> Campaign:
    queryset = scope_for(Campaign, request, for_change).select_related("organising_unit__parent")
    return get_object_or_404(queryset, pk=pk)


def get_decision_for_user(request, pk, *, for_change: bool = False) -> Decision:
    queryset = scope_for(Decision, request, for_change).select_related("campaign", "issuing_unit__parent", "created_by")
    return get_object_or_404(queryset, pk=pk)


def get_locality_for_user(request, pk, *, for_change: bool = False) -> Locality:
    queryset = scope_for(Locality, request, for_change).select_related("parent")
    return get_object_or_404(queryset, pk=pk)


def read_locality_for_user(request, pk, day: datetime.date) -> Locality:
    """get_locality_for_user() for reading, named as on `day` (localities.models.as_on), kept in the cache
    under the records' version and the user's scope: the locality page reads it on every request."""
    queryset = scope_for(Locality, request, False).select_related("parent")
    locality = cached(
        "locality",
        pk,
        scope_of(request.user).key,
        day,
        compute=lambda: next(iter(as_on(queryset.filter(pk=pk), day)), None),
        timeout=FRAGMENT_TIMEOUT,
    )
    if locality is None:
        raise Http404
    return locality


def get_roster_upload_for_user(request, token: str, *, fields=(), for_update=False) -> RosterUpload:
    """The stored upload, only for the user who made it (on any server, in any session).

    `fields` are the only columns read: the file's rows are read only to import them. Locked
    `for_update`, a second confirmation sent meanwhile (a double click) waits, then finds nothing.
    """
    uploads = RosterUpload.objects.visible_to(request.user)
    if fields:
        uploads = uploads.only(*fields)
    if for_update:
        uploads = uploads.select_for_update()
    return get_object_or_404(uploads, token=token)


def get_account_for_user(request, pk):
    """An account the user handles on the account pages (cadres.models.accounts_managed_by), with its cadre
    record and roles; every other account answers 404, whether it exists or not."""
    roles = Role.objects.select_related("unit", "locality__parent").order_by("kind", "pk")
    accounts = accounts_managed_by(request.user).select_related("cadre")
    return get_object_or_404(accounts.prefetch_related(Prefetch("roles", queryset=roles)), pk=pk)
