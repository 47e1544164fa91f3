"""The end-of-mission report starts from what the cadre already wrote every day.

`mission_summary()` reads the notes and escalations of one assignment (two
queries) and `results_text()` turns the summary into a first draft of the
"results" section, which the cadre then edits.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cadres.models import Assignment
from reports.models import Activity, Escalation, Health, written_late


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@dataclass
class DatedText:
    day: datetime.date
    text: str


@dataclass
class MissionSummary:
    assignment: Assignment
    days_so_far: int
    days_with_notes: int
    missing_days: list[datetime.date]
    late_days: list[datetime.date]  # days whose note was written on a later day
    activity_counts: list[tuple[str, str, int]]  # (code, label, days), most frequent first
    health_events: list[tuple[datetime.date, str, str]]  # (day, code, label), days not "well"
    escalations: list[Escalation]
    difficulties: list[DatedText] = field(default_factory=list)
    needs: list[DatedText] = field(default_factory=list)
    other_activities: list[DatedText] = field(default_factory=list)

    @property
    def days_without_notes(self) -> int:
        return len(self.missing_days)


def mission_summary(assignment: Assignment, today: datetime.date | None = None) -> MissionSummary:
    today = today or timezone.localdate()
    last_day = min(today, assignment.ends_on)
    days_so_far = max((last_day - assignment.starts_on).days + 1, 0)
    notes = list(
        assignment.notes.filter(day__lte=last_day)
        .order_by("day")
        .values("day", "activities", "other_activities", "health", "difficulties", "needs", "written_at", "created_at")
    )
    noted_days = {note["day"] for note in notes}
    missing = [
        assignment.starts_on + datetime.timedelta(days=offset)
        for offset in range(days_so_far)
        if assignment.starts_on + datetime.timedelta(days=offset) not in noted_days
    ]
    counts = Counter(code for note in notes for code in set(note["activities"] or []))
    labels = dict(Activity.choices)
    activity_counts = sorted(
        ((code, str(labels[code]), counts[code]) for code in labels if counts[code]),
        key=lambda item: -item[2],
    )
    health_labels = dict(Health.choices)
    escalations = list(assignment.escalations.order_by("created_at"))
    return MissionSummary(
        assignment=assignment,
        days_so_far=days_so_far,
        days_with_notes=len(noted_days),
        missing_days=missing,
        late_days=[
            note["day"] for note in notes if written_late(note["day"], note["written_at"] or note["created_at"])
        ],
        activity_counts=activity_counts,
        health_events=[
            (note["day"], note["health"], str(health_labels.get(note["health"], note["health"])))
            for note in notes
            if note["health"] != Health.WELL
        ],
        escalations=escalations,
        difficulties=[
            DatedText(note["day"], note["difficulties"].strip()) for note in notes if note["difficulties"].strip()
        ],
        needs=[DatedText(note["day"], note["needs"].strip()) for note in notes if note["needs"].strip()],
        other_activities=[
            DatedText(note["day"], note["other_activities"].strip())
            for note in notes
            if note["other_activities"].strip()
        ],
    )


def results_text(summary: MissionSummary) -> str:
    """A first draft of the "results" section, in the cadre's voice, from the daily notes."""
    assignment = summary.assignment
    place = {
        "start": _short(assignment.starts_on),
        "end": _short(assignment.ends_on),
        "locality": assignment.locality.display_name,
        "host": assignment.host_organisation,
    }
    lines = [
        # Without a host organisation, no empty brackets.
        (
            _("From %(start)s to %(end)s at %(locality)s (%(host)s).")
            if assignment.host_organisation
            else _("From %(start)s to %(end)s at %(locality)s.")
        )
        % place,
        _("Daily notes filed on %(noted)d of %(days)d days.")
        % {"noted": summary.days_with_notes, "days": summary.days_so_far},
    ]
    if summary.late_days:
        lines.append(
            _("Of which filed late: %(count)d (%(days)s).")
            % {"count": len(summary.late_days), "days": ", ".join(_short(day) for day in summary.late_days)}
        )
    if summary.activity_counts:
        lines.append(_("Activities (days):"))
        lines.extend(f"- {label}: {count}" for _code, label, count in summary.activity_counts)
    for item in summary.other_activities:
        lines.append(f"- {_short(item.day)}: {item.text}")
    if summary.escalations:
        lines.append(_("Issues raised to the province: %(count)d.") % {"count": len(summary.escalations)})
        lines.extend(
            f"- {escalation.subject} ({escalation.get_status_display()})" for escalation in summary.escalations
        )
    if summary.health_events:
        lines.append(
            _("Own health: %(events)s.")
            % {"events": "; ".join(f"{_short(day)} {label}" for day, _code, label in summary.health_events)}
        )
    return "\n".join(lines)


def difficulties_text(summary: MissionSummary) -> str:
    """A first draft of the "difficulties" section: what the notes said, by day."""
    lines = [f"- {_short(item.day)}: {item.text}" for item in summary.difficulties]
    if summary.needs:
        lines.append(_("Needs raised:"))
        lines.extend(f"- {_short(item.day)}: {item.text}" for item in summary.needs)
    return "\n".join(lines)
