"""dealmap settings: one module, driven by the environment.

Every variable is listed, with its default, in the README's configuration table.
Development defaults apply only while DJANGO_DEBUG is on; production refuses to
start without the secrets it needs.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    # An empty variable counts as unset, so `DATABASE_URL= make test` means the default.
    return os.environ.get(name) or default


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def cache_config(url):
    """CACHE_URL -> CACHES["default"]: locmem:// (default), redis://…, dummy://."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "dealmap"),
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url.startswith("locmem://") or not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url.removeprefix("locmem://") or "dealmap",
        }
    raise ImproperlyConfigured(f"CACHE_URL: unsupported scheme in {url!r}")


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DJANGO_DEBUG off) needs a long random "
            "SECRET_KEY in the environment; for local work set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env("SITE_NAME", "dealmap")
FIRM_NAME = env("FIRM_NAME", "Canonical Crypto")
# Where links in the feed, sitemap and canonical tags point when no request is at hand.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "reversion",
    "dealmap",
    "layers",
    "projects",
    "partners",
]

MIDDLEWARE = [
    # Outermost: a hit skips everything below, and the stored response already carries
    # the headers the middleware below added to it (dealmap/caching.py).
    "dealmap.caching.ResponseCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dealmap.urls"
WSGI_APPLICATION = "dealmap.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.csp",
    "dealmap.context_processors.site",
]
# Two engines, each with its own files. The public pages, 404.html and 500.html are
# Jinja2 (templates/jinja2/), which renders them in less time than the DTL did
# (dealmap/jinja2.py); it comes first, so they are found without asking the DTL. The
# admin, its overrides in templates/admin/, the API docs page and Django's contrib
# templates stay on the DTL they are written in. Neither engine finds the other's
# files by the names asked for (tests/test_templates.py).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "projects.site.templates.environment",
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        # Off, as Django's default: a SELECT 1 before every request's first query is a
        # round trip per request. A restarted database then fails one request per
        # process, and Django drops that connection (CONN_HEALTH_CHECKS=1 to check).
        conn_health_checks=envbool("CONN_HEALTH_CHECKS", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": cache_config(env("CACHE_URL", "locmem://")),
    # Whole responses, each under the content version it was built with (dealmap/caching.py).
    "responses": cache_config(env("RESPONSE_CACHE_URL", "locmem://responses")),
}
CACHES["responses"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 1000)
# Whole public pages and API responses, per content version (dealmap/caching.py).
RESPONSE_CACHE = envbool("RESPONSE_CACHE", True)
# Counts an anonymous API request against its rate limit before the cache may answer it.
RESPONSE_CACHE_API_GATE = "partners.throttles.count_anonymous"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security: strict by default, relaxed only where DEBUG serves plain http locally.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The partner API may be read from any origin; nothing else is shared.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # A partner key only lifts the rate limit; without one the API is open to anyone.
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.auth.PartnerKeyAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "dealmap.pagination.PageNumberPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "partners.throttles.AnonRateThrottle",
        "partners.throttles.PartnerRateThrottle",
    ],
    # Documented in docs/api.md; the anonymous limit is modest on purpose.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", "60/min"),
        "partner": env("API_PARTNER_RATE", "1200/min"),
    },
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} partner API",
    "DESCRIPTION": (
        "The published market maps as read-only JSON. Guide: docs/api.md in the repository."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar and are served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are tagged (and generated clients grouped) by resource: maps, projects, …
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"ChangeKindEnum": "projects.models.ChangeKind"},
}

# Editorial freshness: what "needs review" means.
REVIEW_METRIC_MAX_AGE_DAYS = envint("REVIEW_METRIC_MAX_AGE_DAYS", 180)
REVIEW_MAX_AGE_DAYS = envint("REVIEW_MAX_AGE_DAYS", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
