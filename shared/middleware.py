"""Response headers, the request size limit, the database-outage page and the client address behind a proxy."""

import functools
import ipaddress
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
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
            from shared.views import healthz

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


class RequestSizeLimitMiddleware:
    """Refuse a request body over settings.MAX_REQUEST_BYTES with 413, before anything reads it.

    Django keeps at most DATA_UPLOAD_MAX_MEMORY_SIZE of form fields in memory, but streams a file upload
    of any size to a temporary file. The declared Content-Length is enough to decide: Django never reads
    past it, and reads nothing of a body that declares none (a chunked request gets an empty form).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large_response(request)
        return self.get_response(request)


def too_large_response(request: HttpRequest) -> HttpResponse:
    """413, as a page or, for the phone's outbox, as a refusal: a body this large will never pass."""
    megabytes = settings.MAX_REQUEST_BYTES // (1024 * 1024)
    message = _("This is too large to send: at most %(megabytes)d MB at a time.") % {"megabytes": megabytes}
    if "application/json" in request.headers.get("Accept", ""):
        errors = {"__all__": [{"message": message, "code": "too_large"}]}
        return JsonResponse({"ok": False, "retry": False, "errors": errors, "message": message}, status=413)
    # Rendered without the request, like the outage page: no context processor reads the session.
    return HttpResponse(loader.get_template("413.html").render({"message": message}), status=413)


class NoStoreWhenSignedInMiddleware:
    """Answers to a signed-in user are kept by no cache: a phone passed between cadres, an office proxy.

    `Cache-Control: private, no-store` unless the view chose its own (a note's photo, the service worker,
    the manifest). Static files are answered by WhiteNoise before this. The cadre's offline pages are
    kept by the service worker in the Cache API, which does not obey Cache-Control.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                response["Cache-Control"] = "private, no-store"
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


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# What a proxy tells about the request; a client talking to the app directly could claim anything in them.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT")


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy) for proxy in proxies)


def _address(text: str | None) -> IPAddress | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted_proxy(address: IPAddress | None) -> bool:
    """Whether `address` is one of settings.TRUSTED_PROXIES (addresses and networks)."""
    return address is not None and any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


class ForwardedHeadersMiddleware:
    """Drop the X-Forwarded-* headers of a request that does not come from a trusted proxy.

    SECURE_PROXY_SSL_HEADER (BEHIND_TLS_PROXY) makes Django believe X-Forwarded-Proto from anyone:
    a client reaching the app without the proxy could claim https. Gunicorn believes the headers only
    from the same addresses (--forwarded-allow-ips in the Dockerfile).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(_address(request.META.get("REMOTE_ADDR"))):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless it is a trusted proxy (TRUSTED_PROXIES): each proxy appends the address it saw to
    X-Forwarded-For, so the right-most entry that is not a trusted proxy is the client; what lies left of it
    was written by the client and proves nothing. Text that is not an address is never taken for one.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not is_trusted_proxy(_address(remote)):
        return remote
    client = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not entry.strip():
            continue
        address = _address(entry)
        if address is None:
            break
        client = str(address)
        if not is_trusted_proxy(address):
            break
    return client
