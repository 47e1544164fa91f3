"""The framework's ceiling, for bench/run.py: a 50-row page that needs no database.

Mounted only when BENCHMARK=1 (see deployment/urls.py); it is never part of a
normal deployment.
"""

import datetime

from django.db import transaction
from django.shortcuts import render

ROWS = [
    {
        "number": number,
        "cadre": f"Nguyễn Văn {number}",
        "locality": f"Phường {number}",
        "starts_on": datetime.date(2021, 8, 17),
        "ends_on": datetime.date(2021, 9, 15),
    }
    for number in range(1, 51)
]


# Not even the savepoint of ATOMIC_REQUESTS: the ceiling is a page without a database.
@transaction.non_atomic_requests
def bare(request):
    return render(request, "bench/bare.html", {"rows": ROWS})
