"""Who is where on a given day: the figures of the staff dashboard."""

import datetime
from dataclasses import dataclass

from cadres.models import Assignment
from localities.models import Locality


@dataclass
class Coverage:
    day: datetime.date
    cadres_on_mission: int
    units_sending: int
    localities_covered: int
    red_zone_wards: int
    red_zone_wards_covered: int
    uncovered_red_zone_wards: list[Locality]


def coverage_on(day: datetime.date) -> Coverage:
    # A recall shortens ends_on, so the dates alone say who is there.
    active = Assignment.objects.active_on(day)
    covered_ids = set(active.values_list("locality_id", flat=True))
    red_wards = list(Locality.objects.communes().valid_on(day).red_zone_on(day).select_related("parent"))
    uncovered = [ward for ward in red_wards if ward.pk not in covered_ids]
    return Coverage(
        day=day,
        cadres_on_mission=active.values("cadre_id").distinct().count(),
        units_sending=active.values("cadre__unit_id").distinct().count(),
        localities_covered=len(covered_ids),
        red_zone_wards=len(red_wards),
        red_zone_wards_covered=len(red_wards) - len(uncovered),
        uncovered_red_zone_wards=uncovered,
    )
