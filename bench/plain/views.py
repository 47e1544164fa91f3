from django.shortcuts import render

from shared.bench_views import ROWS


def table(request):
    """The app's bare 50-row table; the template names the signed-in user, so the session and user are read."""
    return render(request, "plain/table.html", {"rows": ROWS})
