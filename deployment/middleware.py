"""Response headers, the database-outage page and the client address behind the proxy."""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class HealthCheckMiddleware:
    """Answer /healthz before host validation, the https redirect and the request transaction.

    The load balancer and Docker's HEALTHCHECK probe over plain http with an IP
    address for a host; the answer reveals nothing but up or down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            from deployment.views import healthz

            return healthz(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header of settings.PERMISSIONS_POLICY to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


def outage_response(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page, rendered without a request so that no context processor reaches the database."""
    content = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never cache an outage: the next request after recovery must reach the app.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """A view that fails because the database is unreachable answers 503, not 500.

    Errors raised outside views (in other middleware) reach `server_error` below,
    which does the same. With CONN_HEALTH_CHECKS the next request after the
    database returns opens a fresh connection, so no restart is needed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("Database unavailable: %s", exception)
            return outage_response(request)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """handler500: the 503 page for a database outage, the usual 500 page otherwise."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return outage_response(request)
    return defaults.server_error(request, template_name)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling.

    Behind the TLS proxy (BEHIND_TLS_PROXY), REMOTE_ADDR is the proxy; the proxy
    appends the address it saw to X-Forwarded-For, so the last entry is the one
    that cannot be forged by the client. Without a proxy the header is ignored.
    """
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
