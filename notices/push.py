"""Web Push (RFC 8030, 8291, 8292) through pywebpush: the server's VAPID key and the push services it posts to.

Only VAPID_PRIVATE_KEY is configured; the public key the browsers subscribe
with is derived from it, so the two cannot disagree. Without it push is off
and notices go to the app and by email only.
"""

import base64
import fnmatch
import functools
import json
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

# Hours a push service keeps a notice for a phone that is off or out of reach.
TIME_TO_LIVE = 24 * 60 * 60
TIMEOUT_SECONDS = 10
# The push service answers that the subscription no longer exists: the browser unsubscribed or was reset.
GONE = {404, 410}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@functools.cache
def _vapid(private_key: str):
    # pywebpush and py_vapid (with requests and aiohttp) load only where push is used: not in every worker.
    from py_vapid import Vapid

    return Vapid.from_string(private_key=private_key)


def vapid():
    return _vapid(settings.VAPID_PRIVATE_KEY) if settings.VAPID_PRIVATE_KEY else None


def is_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY)


def public_key() -> str:
    """The application server key the browser subscribes with (base64url of the uncompressed point), or ""."""
    key = vapid()
    if key is None:
        return ""
    return b64url(key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def new_private_key() -> str:
    """A new VAPID private key, as VAPID_PRIVATE_KEY takes it (base64url of the 32-byte P-256 scalar)."""
    private = ec.generate_private_key(ec.SECP256R1())
    return b64url(private.private_numbers().private_value.to_bytes(32, "big"))


# A host name as push services have them: letters, digits, dots and hyphens, nothing a URL parser might end
# the host at ("\\", "@", "%") or read otherwise (IDNA).
HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")


def _host_and_port(netloc: str) -> tuple[str, str] | None:
    host, _, port = netloc.lower().partition(":")
    if not HOST.fullmatch(host) or not (port == "" or port == "*" or port.isdecimal() and port.isascii()):
        return None
    return host, port


def endpoint_allowed(endpoint: str) -> bool:
    """Whether the server may post to this address: one of the push services of PUSH_SERVICES.

    A subscription is what a browser sends; without this check anyone signed in could
    make the server post to an address of their choosing, inside the network included.
    The address's host must be a plain host name (and its port the pattern's), so that
    no parser finds another host in it than the one checked.
    """
    try:
        parts = urlsplit(endpoint)
    except ValueError:
        return False
    found = _host_and_port(parts.netloc)
    if found is None or not endpoint.isascii() or any(c.isspace() for c in endpoint):
        return False
    host, port = found
    for allowed in settings.PUSH_SERVICES:
        scheme, _, netloc = allowed.partition("://")
        pattern = netloc.lower().rstrip("/")
        pattern_host, _, pattern_port = pattern.partition(":")
        if (
            parts.scheme == scheme
            and fnmatch.fnmatchcase(host, pattern_host)
            and (pattern_port == "*" or port == pattern_port)
        ):
            return True
    return False


def is_public_key(p256dh: bytes) -> bool:
    """Whether these are the 65 bytes of a point on P-256, as a browser's subscription key is."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        return False
    return True


class PushFailed(Exception):
    def __init__(self, message: str, *, gone: bool = False, retry: bool = True):
        super().__init__(message)
        self.gone, self.retry = gone, retry


def send(subscription_info: dict, payload: dict) -> None:
    """Post one encrypted message; raises PushFailed unless the push service accepted it (201)."""
    from pywebpush import WebPushException, webpush

    key = vapid()
    if key is None:
        raise PushFailed("VAPID_PRIVATE_KEY is not set: push is off")
    if not endpoint_allowed(subscription_info["endpoint"]):
        raise PushFailed("the endpoint is not one of PUSH_SERVICES", retry=False)
    try:
        webpush(
            subscription_info,
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=key,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=TIME_TO_LIVE,
            timeout=TIMEOUT_SECONDS,
            headers={"Urgency": "high"},
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        message = f"{status or ''} {error}".strip()
        # 4xx other than Gone and Too Many Requests will be refused again: the message or the key is wrong.
        refused = status is not None and 400 <= status < 500 and status != 429
        raise PushFailed(message, gone=status in GONE, retry=not refused) from error
    except (OSError, ValueError) as error:  # refused connection, timeout (requests' errors are OSErrors), bad key
        raise PushFailed(f"{type(error).__name__}: {error}") from error
