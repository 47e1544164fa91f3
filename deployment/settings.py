"""Settings for Đồng hành, read from the environment (and an optional .env file).

Local use needs nothing set but DEBUG=true. Production needs SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL; everything else has a safe default. The
README lists every variable.
"""

import datetime
import ipaddress
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses and networks (10.0.0.5, 10.1.0.0/16); a typo stops the server."""
    values = [value.strip() for value in env.list(name, default=[]) if value.strip()]
    for value in values:
        try:
            ipaddress.ip_network(value)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network ({error}).") from None
    return values


DEBUG = env.bool("DEBUG", default=False)
# Serves the bare page that bench/run.py compares every page with.
BENCHMARK = env.bool("BENCHMARK", default=False)

# No default outside DEBUG: a production server without a key must not start.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only") if DEBUG else env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "csp",
    "axes",
    "simple_history",
    # The project's apps, from the bottom layer up (docs/architecture.md): each imports only from those above it here.
    "shared",
    "accounts",
    "localities",
    "cadres",
    "reports",
    "notices",
    "phone",
    "demo",
]

MIDDLEWARE = [
    # First: the https redirect and the lockout's address see X-Forwarded-* only from TRUSTED_PROXIES.
    "shared.middleware.ForwardedHeadersMiddleware",
    "shared.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shared.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body (CSRF reads the form); after the headers, which its 413 page gets too.
    "shared.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their headers), around everything that answers a signed-in user.
    "shared.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Names the signed-in user on the audit history rows that a request writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers 503 without touching the database when the database is down.
    "shared.middleware.DatabaseOutageMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "deployment.urls"
WSGI_APPLICATION = "deployment.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.roles.role_context",
                "notices.context_processors.unread_notices",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction begins, so that "check for an
    # overlapping assignment, then insert" cannot interleave between requests.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections between requests; check them before use so that a
    # restarted database does not need a restarted app. The check asks the
    # socket first and the server only when the socket says something.
    DATABASES["default"]["ENGINE"] = "shared.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    # Each worker's own memory: pages, rows of the notes inbox (50 a page), users. Django's 300 entries
    # would have them push each other out; most entries are a few KB, the national dashboard 0.5 MB.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10_000)

# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading each request's user with its roles and cadre record in one query.
    "accounts.backends.UserBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The one-time link to set a password (a new account, a reset by the office, a forgotten password) opens for 3 days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

# Internationalisation: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Project strings first (makemessages writes there); then third-party strings (admin, axes, history).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["deployment.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Note photos go through Django's storage API only: a folder shared by every server (MEDIA_ROOT), or an
# object store by setting alone, e.g. MEDIA_STORAGE=storages.backends.s3.S3Storage with
# MEDIA_STORAGE_OPTIONS='{"bucket_name": "donghanh-photos", "endpoint_url": "https://..."}' (django-storages).
STORAGES = {
    "default": {
        "BACKEND": env("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads: photos and spreadsheets are at most 10 MB. A request body over MAX_REQUEST_BYTES is refused
# with 413 before anything reads it (shared/middleware.py); Django alone would stream a file upload
# of any size to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A 10 MB photo and the form around it.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
if MAX_REQUEST_BYTES <= MAX_UPLOAD_BYTES:
    raise ImproperlyConfigured(
        f"MAX_REQUEST_BYTES ({MAX_REQUEST_BYTES}) leaves no room for a {MAX_UPLOAD_BYTES}-byte photo and its form."
    )

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before an unanswering mail server is given up (the notices' run tries again later).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Đồng hành <no-reply@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Notices (notices/): `manage.py send_notices` every five minutes. The missing-note notice waits for this hour,
# local time.
NOTICE_EVENING_HOUR = env.int("NOTICE_EVENING_HOUR", default=19)
# Web Push: the server's VAPID key (`manage.py vapid_key` makes one); without it push is off. The public key
# the browsers subscribe with is derived from it.
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
# Who the push services may contact about this server's messages (RFC 8292): mailto: or https:.
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:" + parseaddr(DEFAULT_FROM_EMAIL)[1])
# The push services a subscription may name, as scheme://host patterns (fnmatch): those of Chrome, Firefox,
# Edge and Safari. The server posts only there, so that a forged subscription cannot aim it elsewhere.
PUSH_SERVICES = env.list(
    "PUSH_SERVICES",
    default=[
        "https://fcm.googleapis.com",
        "https://*.push.services.mozilla.com",
        "https://*.notify.windows.com",
        "https://*.push.apple.com",
    ],
)

# Security. Off in DEBUG (plain http on a laptop), on everywhere else.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read in the same round trip as the data versions (shared/sessions.py).
SESSION_ENGINE = "shared.sessions"
# The proxies (load balancers) whose forwarded headers are believed: X-Forwarded-For for the client's
# address, the key of the login lockout (shared/middleware.py client_ip), and X-Forwarded-Proto. From
# any other address both are ignored. The Dockerfile gives gunicorn the same list. Empty: no proxy.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    # Believed only from TRUSTED_PROXIES (ForwardedHeadersMiddleware): without them every request
    # would look like plain http and be redirected to https for ever.
    if not TRUSTED_PROXIES:
        raise ImproperlyConfigured("BEHIND_TLS_PROXY needs TRUSTED_PROXIES: the addresses of the TLS proxy.")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): everything from the app itself, no inline
# code at all. Pages load their JavaScript from static/js and style from site.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Browser features the app never uses are switched off for every page. The note
# form takes a photo through a file input, which needs no camera permission;
# camera=(self) only keeps a later in-page capture possible.
PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "camera": "(self)",
    "display-capture": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "usb": "()",
}

# Login throttling (django-axes): five failures lock that username from that
# address for 30 minutes. Administrators unlock with `manage.py axes_reset_username
# <username>` or `manage.py axes_reset` (everyone), or in admin (Access attempts).
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# A wrong old password on the password change page counts too (accounts/forms.py); its fields are
# masked like the login's password in the record of the attempt.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "old_password", "new_password1", "new_password2"]
# Behind a trusted proxy every request comes from the proxy's address: take the
# client's from the X-Forwarded-For entry that the proxy itself appended.
AXES_CLIENT_IP_CALLABLE = "shared.middleware.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
