"""The project's settings, run as in production (DEBUG off), with test-only speed-ups."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from deployment.settings import *  # noqa: E402, F403

# The test client speaks plain http; the redirect itself is tested through check --deploy.
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
