"""Assignment decisions: issuing one with its list of cadres, its page, and its printable document."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import manages, organiser_required, staff_required
from cadres import services
from cadres.access import get_campaign_for_user, get_decision_for_user
from cadres.documents.docx import render_docx
from cadres.documents.layout import DecisionLayout, decision_layout
from cadres.documents.pdf import render_pdf
from cadres.forms.cadre_picker import cadre_label
from cadres.forms.decisions import (
    AssignmentRowFormSet,
    DecisionForm,
    SignedScanForm,
    default_start,
    locality_label,
    locality_options,
    locality_value,
)
from cadres.forms.nominations import proposed_rows
from cadres.models import AmendmentKind, Assignment, Cadre, Decision, Nomination
from cadres.services import DecisionRow, DecisionRowError
from localities.models import Level, Locality, as_on
from shared.fields import day_from_query
from shared.history import history_entries

SEARCH_RESULTS = 20


def _amended_from(request, campaign) -> tuple[Decision | None, str]:
    """The decision that the new one amends or annuls (?amends=<pk>&kind=amend|annul): one of the campaign's."""
    if "amends" not in request.GET:
        return None, ""
    kind = request.GET.get("kind", "")
    if kind not in AmendmentKind.values or not request.GET["amends"].isdigit():
        raise Http404
    amends = get_object_or_404(campaign.decisions.select_related("issuing_unit"), pk=request.GET["amends"])
    return amends, kind


@organiser_required
def decision_create(request, pk):
    campaign = get_campaign_for_user(request, pk, for_change=True)
    amends, kind = _amended_from(request, campaign)
    # An annulment assigns nobody: it has no list. Its assignments are recalled first (Decision.clean_amendment).
    annuls = kind == AmendmentKind.ANNUL
    form = DecisionForm(request.POST or None, campaign=campaign, amends=amends, amendment_kind=kind)
    # Opened from the nominations page: the proposals chosen there are the first rows.
    initial = proposed_rows(campaign, request.GET.getlist("nomination")) if request.method == "GET" else None
    rows = AssignmentRowFormSet(
        None if annuls else (request.POST or None),
        initial=initial,
        form_kwargs={"campaign": campaign},
        prefix="rows",
        rows_required=amends is None,
    )
    if request.method == "POST":
        # Both are validated, so that every error shows at once.
        form_valid, rows_valid = form.is_valid(), annuls or rows.is_valid()
        if form_valid and rows_valid:
            filled = [] if annuls else rows.filled_forms()
            try:
                with transaction.atomic():
                    decision = _issue(request, campaign, form, filled, amends, kind)
            except DecisionRowError as error:
                # Another request assigned this cadre between the check and the save.
                filled[error.row].add_error(None, error.error_list)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The units' proposals of these cadres are accepted, each with the assignment it became.
                Nomination.objects.accept_into(decision, by=request.user)
                messages.success(request, _recorded(decision, amends, kind, len(filled)))
                return redirect("cadres:decision_detail", pk=decision.pk)
        messages.error(request, _("Nothing was saved: correct what is marked below."))
    return render(
        request,
        "cadres/decision_form.html",
        {
            "campaign": campaign,
            "form": form,
            "rows": rows,
            "amends": amends,
            "amendment_kind": kind,
            "annuls": annuls,
            "locality_options": locality_options(default_start(campaign)),
        },
    )


def _recorded(decision: Decision, amends: Decision | None, kind: str, assigned: int) -> str:
    """What the new decision does, said once it is saved: an annulment, or an amendment of the text alone, assigns
    nobody."""
    if amends and kind == AmendmentKind.ANNUL:
        return _("Decision %(reference)s recorded: it annuls decision %(annulled)s.") % {
            "reference": decision.reference,
            "annulled": amends.reference,
        }
    if amends and not assigned:
        return _("Decision %(reference)s recorded: it amends decision %(amended)s.") % {
            "reference": decision.reference,
            "amended": amends.reference,
        }
    return _("Decision %(reference)s recorded: %(count)s cadres assigned.") % {
        "reference": decision.reference,
        "count": assigned,
    }


def _issue(request, campaign, form, filled, amends: Decision | None, kind: str) -> Decision:
    """The new decision with its list (services.decision_create), or its header alone when it amends or annuls
    another without assigning anyone; linked to the decision it changes, in the same transaction."""
    data = form.cleaned_data
    if not filled:
        decision = form.save(commit=False)
        decision.created_by = request.user
        decision.save_checked()
        return decision
    decision = services.decision_create(
        campaign=campaign,
        issuing_unit=data["issuing_unit"],
        number=data["number"],
        signed_on=data["signed_on"],
        summary=data["summary"],
        legal_bases=data["legal_bases"],
        signing_authority=data["signing_authority"],
        signer_position=data["signer_position"],
        signer_name=data["signer_name"],
        recipients=data["recipients"],
        created_by=request.user,
        rows=[
            DecisionRow(
                cadre=row.cleaned_data["cadre"],
                locality=row.cleaned_data["locality"],
                starts_on=row.cleaned_data["starts_on"],
                host_organisation=row.cleaned_data["host_organisation"],
                past_campaign_end=row.cleaned_data["keep_full_length"],
            )
            for row in filled
        ],
    )
    if amends:
        decision.amends, decision.amendment_kind = amends, kind
        decision.save_checked(update_fields=["amends", "amendment_kind"])
    return decision


def _assignments_of(decision: Decision) -> list[Assignment]:
    """The decision's assignments, their places named as on the day it was signed: a 2021 decision reads
    "Thị xã Tân Uyên" however the town is called since."""
    assignments = list(
        decision.assignments.select_related("cadre__unit__parent", "locality__parent").order_by(
            "cadre__full_name", "starts_on"
        )
    )
    as_on([assignment.locality for assignment in assignments], decision.signed_on)
    return assignments


def _links_of(decision: Decision) -> dict:
    """The decisions linked to this one both ways: the one it amends or annuls, those amending or annulling it."""
    amendments = list(decision.amendments.select_related("issuing_unit").order_by("signed_on", "number"))
    return {
        "amended": Decision.objects.select_related("issuing_unit").get(pk=decision.amends_id)
        if decision.amends_id
        else None,
        "amendments": amendments,
        # An annulment takes effect once issued (its signed scan stored); until then it is a draft.
        "annulment": next((d for d in amendments if d.amendment_kind == AmendmentKind.ANNUL and d.is_issued), None),
        "annulment_draft": next(
            (d for d in amendments if d.amendment_kind == AmendmentKind.ANNUL and not d.is_issued), None
        ),
    }


def _scan_page(request, decision: Decision, scan_form: SignedScanForm | None = None, status: int = 200):
    can_change = manages(request.user, decision.campaign.organising_unit_id)
    return render(
        request,
        "cadres/decision_detail.html",
        {
            "decision": decision,
            **_links_of(decision),
            "can_change": can_change,
            "scan_form": scan_form or (SignedScanForm() if can_change else None),
            "assignments": _assignments_of(decision),
            # The annex is the whole document; a row links to the assignment's page where the user may open it.
            "visible_ids": set(
                Assignment.objects.visible_to(request.user).filter(decision=decision).values_list("pk", flat=True)
            ),
            "history_entries": history_entries(decision.history.all()),
        },
        status=status,
    )


@staff_required
def decision_detail(request, pk):
    return _scan_page(request, get_decision_for_user(request, pk))


@organiser_required
@require_POST
def decision_scan_upload(request, pk):
    """Store or replace the signed and stamped decision; the model says what file it may be."""
    decision = get_decision_for_user(request, pk, for_change=True)
    form = SignedScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            decision.attach_scan(form.cleaned_data["scan"], by=request.user)
        except ValidationError as error:
            errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
            form.add_error("scan", sum(errors.values(), []))
        else:
            messages.success(
                request, _("The signed scan of decision %(reference)s is stored.") % {"reference": decision.reference}
            )
            return redirect("cadres:decision_detail", pk=decision.pk)
    # Shown again as stored: the refused file changed nothing.
    return _scan_page(request, get_decision_for_user(request, pk), scan_form=form, status=400)


@organiser_required
@require_POST
def decision_delete(request, pk):
    """A draft decision deleted (Decision.check_deletable): one typed by mistake does not stay for ever."""
    decision = get_decision_for_user(request, pk, for_change=True)
    reference, campaign_id = decision.reference, decision.campaign_id
    try:
        decision.delete()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cadres:decision_detail", pk=pk)
    messages.success(request, _("Draft decision %(reference)s deleted.") % {"reference": reference})
    return redirect("cadres:campaign_detail", pk=campaign_id)


@staff_required
def decision_scan(request, pk):
    """The signed scan, served only through here to those who read the decision; never from a media URL."""
    decision = get_decision_for_user(request, pk)
    if not decision.signed_scan:
        raise Http404
    try:
        handle = decision.signed_scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=decision.scan_content_type,
        filename=f"quyet-dinh-{decision.number}-{decision.year}.{decision.scan_extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
def decision_print(request, pk):
    """The decision as a page to print, laid out from the same content as its Word and PDF files."""
    decision = get_decision_for_user(request, pk)
    links = _links_of(decision)
    return render(
        request,
        "cadres/decision_print.html",
        {"decision": decision, "annulment": links["annulment"], "layout": _layout_of(decision, links)},
    )


def _search_text(request) -> str:
    # PostgreSQL refuses a NUL character in a query parameter: drop it rather than answer 500.
    return " ".join(request.GET.get("q", "").replace("\x00", "").split())[:80]


@staff_required
def cadre_search(request):
    """Up to 20 active cadres whose code starts with, or whose name contains, `q` (for the datalist)."""
    text = _search_text(request)
    if len(text) < 2:
        return JsonResponse({"results": []})
    cadres = (
        Cadre.objects.visible_to(request.user)
        .active()
        .filter(Q(code__istartswith=text) | Q(pk__in=Cadre.objects.search(text).values("pk")))
        .select_related("unit")
        .in_name_order()[:SEARCH_RESULTS]
    )
    return JsonResponse({"results": [{"value": cadre.code, "label": cadre_label(cadre)} for cadre in cadres]})


@staff_required
def locality_search(request):
    """Up to 20 districts and communes, valid on `day`, by code or by name (for the datalist)."""
    text = _search_text(request)
    if len(text) < 2:
        return JsonResponse({"results": []})
    name = text.split(",")[0].strip()
    localities = Locality.objects.visible_to(request.user).filter(level__in=[Level.DISTRICT, Level.COMMUNE])
    # Asked for by the form's script as the day is typed: a day not yet whole is no error to report.
    day = day_from_query(request, report=False)
    if day:
        localities = localities.valid_on(day)
    found = list(
        localities.filter(Q(code__startswith=text) | Q(pk__in=Locality.objects.search(name).values("pk")))
        .select_related("parent")
        .order_by("level", "name")[:SEARCH_RESULTS]
    )
    # The value is what the form reads back (the code, or today's name); the label names it as on the day.
    values = [locality_value(place) for place in found]
    as_on(found, day or timezone.localdate())
    results = [{"value": value, "label": locality_label(place)} for value, place in zip(values, found, strict=True)]
    if day:
        results += _what_they_became(localities, name, day, SEARCH_RESULTS - len(found))
    return JsonResponse({"results": results})


def _what_they_became(localities, name: str, day, limit: int) -> list[dict]:
    """For a name of a unit that ended before `day` (a ward merged on 01/07/2025), the unit it is part of."""
    if limit <= 0:
        return []
    ended = Locality.objects.filter(valid_to__lt=day, pk__in=Locality.objects.search(name).values("pk"))
    became = (
        localities.filter(predecessors__in=ended)
        .select_related("parent")
        .prefetch_related(Prefetch("predecessors", queryset=ended, to_attr="former"))
        .distinct()
        .order_by("name")[:limit]
    )
    return [
        {
            "value": locality_value(place),
            "label": _("%(unit)s, since %(since)s including %(former)s")
            % {
                "unit": locality_label(place),
                "since": date_format(place.former[0].ended_after, "SHORT_DATE_FORMAT"),
                "former": ", ".join(old.display_name for old in place.former),
            },
        }
        for place in became
    ]


def _layout_of(decision: Decision, links: dict) -> DecisionLayout:
    """The decision's document as plain data (cadres/documents/layout.py), for the print page and the files."""
    return decision_layout(
        decision, assignments=_assignments_of(decision), amended=links["amended"], annulment=links["annulment"]
    )


def _document_of(request, pk) -> DecisionLayout:
    decision = get_decision_for_user(request, pk)
    return _layout_of(decision, _links_of(decision))


def _document_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@staff_required
def decision_docx(request, pk):
    """The decision as a Word draft, for the office to edit before it is signed."""
    layout = _document_of(request, pk)
    return _document_response(
        render_docx(layout),
        f"{layout.filename_stem}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@staff_required
def decision_pdf(request, pk):
    """The decision as a PDF with its fonts embedded."""
    layout = _document_of(request, pk)
    return _document_response(render_pdf(layout), f"{layout.filename_stem}.pdf", "application/pdf")
