"""Test settings: the real settings module, plus what makes tests fast and strict."""

import os

# Tests run as production does (DEBUG off), so a throwaway key stands in for the secret.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from dealmap.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    # Hashed names need collectstatic; tests use the plain storage with the same finders.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "responses": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"},
}
if os.environ.get("TEST_CACHE_URL"):
    CACHES["default"] = cache_config(os.environ["TEST_CACHE_URL"])  # noqa: F405
# Serve static files straight from the finders: no collectstatic before a test run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests crawl the API freely; tests/test_api_throttling.py sets the real-world limits itself.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "partner": "100000/min"},
}
