"""Web Push, end to end on loopback: a push service that receives the message, and a phone's keys that read it.

The test plays both ends a real push goes through: the push service (an HTTP
server on 127.0.0.1 that records what it is sent) and the browser (a P-256 key
pair and auth secret, as PushManager.subscribe() makes). It decrypts the body
(RFC 8291, aes128gcm) and checks the VAPID signature (RFC 8292) itself.
"""

import base64
import datetime
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core import mail
from django.utils import timezone

from notices import push
from notices.models import Channel, Delivery, DeliveryStatus, Kind, Notice, Preferences, PushSubscription
from notices.sending import send_notices
from tests.factories import AssignmentFactory, CadreUserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2021, 8, 20)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """Records each POST; answers with `status` (a list: one status per request, the last one repeated)."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses = [201]
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                status = service.statuses.pop(0) if len(service.statuses) > 1 else service.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Phone:
    """What a browser keeps of its subscription: the private key and the auth secret."""

    def __init__(self, endpoint: str):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self.endpoint, self.p256dh = endpoint, _b64(public)

    def subscribe(self, user) -> PushSubscription:
        return PushSubscription.subscribe(
            user=user, endpoint=self.endpoint, p256dh=self.p256dh, auth=_b64(self.auth), device="Chrome Android"
        )

    def read(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


@pytest.fixture
def push_service(settings):
    service = PushService()
    settings.VAPID_PRIVATE_KEY = push.new_private_key()
    settings.VAPID_SUBJECT = "mailto:vanphong@example.vn"
    settings.PUSH_SERVICES = [service.origin.replace("127.0.0.1", "127.0.0.*")]
    yield service
    service.close()


def _cadre_with_phone(push_service, email="mai@example.vn", path="/push/mai"):
    cadre = CadreUserFactory(email=email)
    phone = Phone(push_service.origin + path)
    phone.subscribe(cadre.user)
    AssignmentFactory(cadre=cadre, starts_on=DAY - datetime.timedelta(days=3))
    return cadre, phone


def _run(now=None):
    return send_notices(now=now or timezone.now(), day=DAY, kinds=[Kind.NO_NOTE])


def _verify_vapid(authorization: str, audience: str) -> dict:
    """The JWT of `vapid t=…,k=…`, signed ES256 by the key whose public half is k (RFC 8292)."""
    scheme, _, params = authorization.partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == push.public_key()
    header, payload, signature = fields["t"].split(".")
    raw = _unb64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(fields["k"]))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        pytest.fail("the VAPID signature does not verify with the server's public key")
    claims = json.loads(_unb64(payload))
    assert json.loads(_unb64(header))["alg"] == "ES256"
    assert claims["aud"] == audience and claims["sub"] == "mailto:vanphong@example.vn"
    assert claims["exp"] > timezone.now().timestamp()
    return claims


def test_the_phone_receives_the_notice_and_reads_it_with_its_own_keys(push_service):
    cadre, phone = _cadre_with_phone(push_service)
    run = _run()
    notice = Notice.objects.get()
    [request] = push_service.received
    assert request["path"] == "/push/mai"
    assert request["headers"]["content-encoding"] == "aes128gcm" and int(request["headers"]["ttl"]) > 0
    assert phone.read(request["body"]) == {
        "title": notice.title,
        "body": " ".join(notice.body.split()),
        "url": f"/notices/{notice.pk}/open/",
        "tag": f"notice-{notice.pk}",
    }
    assert "20/08/2021" in notice.title
    _verify_vapid(request["headers"]["authorization"], push_service.origin)
    deliveries = {d.channel: d for d in Delivery.objects.all()}
    assert deliveries[Channel.PUSH].status == DeliveryStatus.DELIVERED and deliveries[Channel.PUSH].delivered_at
    assert deliveries[Channel.EMAIL].status == DeliveryStatus.DELIVERED  # email stays, for those with an address
    assert len(run.delivered) == 2 and PushSubscription.objects.get().last_delivered_at is not None


def test_a_second_run_pushes_nothing_again(push_service):
    _cadre_with_phone(push_service)
    _run()
    _run(now=timezone.now() + datetime.timedelta(hours=1))
    assert len(push_service.received) == 1


def test_each_device_of_a_person_gets_its_own_push(push_service):
    cadre, phone = _cadre_with_phone(push_service)
    tablet = Phone(push_service.origin + "/push/tablet")
    tablet.subscribe(cadre.user)
    _run()
    assert sorted(r["path"] for r in push_service.received) == ["/push/mai", "/push/tablet"]
    assert tablet.read(next(r for r in push_service.received if r["path"] == "/push/tablet")["body"])["title"]


def test_a_refused_push_is_tried_again_later_and_does_not_stop_the_others(push_service):
    _cadre_with_phone(push_service, "mai@example.vn", "/push/mai")
    _cadre_with_phone(push_service, "lam@example.vn", "/push/lam")
    push_service.statuses = [503, 201]  # the first push the service receives is refused, the next accepted
    run = _run()
    assert len(push_service.received) == 2 and len(mail.outbox) == 2
    [failed] = run.failed
    assert failed.channel == Channel.PUSH and failed.status == DeliveryStatus.PENDING and "503" in failed.last_error
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 3
    _run(now=timezone.now() + datetime.timedelta(minutes=6))
    assert len(push_service.received) == 3
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 4


def test_a_push_service_that_cannot_be_reached_leaves_the_push_waiting(push_service):
    cadre, phone = _cadre_with_phone(push_service)
    push_service.close()
    run = _run()
    [failed] = run.failed
    assert failed.status == DeliveryStatus.PENDING and failed.attempts == 1 and failed.next_try_at > timezone.now()
    assert len(mail.outbox) == 1  # the email went


def test_a_subscription_the_push_service_says_is_gone_is_forgotten(push_service):
    _cadre_with_phone(push_service)
    push_service.statuses = [410]
    _run()
    push_delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert push_delivery.status == DeliveryStatus.FAILED and push_delivery.subscription is None
    assert not PushSubscription.objects.exists()
    assert Delivery.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.DELIVERED


def test_nothing_is_posted_to_an_address_that_is_no_longer_a_push_service(push_service, settings):
    _cadre_with_phone(push_service)
    settings.PUSH_SERVICES = ["https://fcm.googleapis.com"]
    _run()
    assert push_service.received == []
    assert Delivery.objects.get(channel=Channel.PUSH).status == DeliveryStatus.FAILED


def test_a_person_who_turned_push_off_gets_no_push(push_service):
    cadre, phone = _cadre_with_phone(push_service)
    Preferences.objects.create(user=cadre.user, by_push=False)
    _run()
    assert push_service.received == [] and not Delivery.objects.filter(channel=Channel.PUSH).exists()
    assert Notice.objects.get().user == cadre.user


def test_without_a_vapid_key_notices_go_to_the_app_and_by_email(push_service, settings):
    _cadre_with_phone(push_service)
    settings.VAPID_PRIVATE_KEY = ""
    _run()
    assert push_service.received == [] and list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254\\.push.services.mozilla.com/x",  # requests would post to 169.254.169.254
        "https://evil.example:8080\\.push.services.mozilla.com/x",
        "https://user@updates.push.services.mozilla.com/x",
        "https://updates.push.services.mozilla.com:8443/x",
        "https://updates.push.services.mozilla.com%2f@evil.example/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://xn--fcm-googleapis-com.evil.example/x",
        "https://fcm.googleapis.com /x",
        "https://fcm.googleapıs.com/x",
    ],
)
def test_an_address_that_is_not_a_push_service_is_refused(settings, endpoint):
    settings.PUSH_SERVICES = ["https://fcm.googleapis.com", "https://*.push.services.mozilla.com"]
    assert not push.endpoint_allowed(endpoint)


def test_the_push_services_addresses_are_allowed(settings):
    settings.PUSH_SERVICES = ["https://fcm.googleapis.com", "https://*.push.services.mozilla.com"]
    assert push.endpoint_allowed("https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b")
    assert push.endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/gAAAAA")
