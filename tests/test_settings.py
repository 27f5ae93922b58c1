"""Production settings: refuse to start without a secret, and pass `check --deploy` clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "dealmap.settings",
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "x9!" + "k" * 60 + "-a-long-random-production-secret-for-the-check",
    "ALLOWED_HOSTS": "maps.example.com",
}


def _run(args, **env):
    # Drop what tests/settings.py put in this process's environment.
    ours = {"SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = _run(["manage.py", "check"], **env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_secret_key():
    result = _run(
        ["manage.py", "check"], DJANGO_SETTINGS_MODULE="dealmap.settings", DJANGO_DEBUG="1"
    )

    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_production_responses_carry_the_security_headers(client):
    response = client.get("/healthz")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_cache_url_selects_the_backend():
    from dealmap.settings import cache_config

    assert cache_config("locmem://")["BACKEND"].endswith("LocMemCache")
    assert cache_config("dummy://")["BACKEND"].endswith("DummyCache")
    assert cache_config("redis://127.0.0.1:6379/9")["LOCATION"] == "redis://127.0.0.1:6379/9"


def test_redis_cache_url_talks_to_a_real_redis():
    from django.core.cache.backends.redis import RedisCache

    from dealmap.settings import cache_config

    config = cache_config("redis://127.0.0.1:6379/9")
    cache = RedisCache(config["LOCATION"], {"KEY_PREFIX": "dealmap-test"})
    try:
        cache.set("ping", "pong", 5)
    except Exception as exc:
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({exc.__class__.__name__})")
    try:
        assert cache.get("ping") == "pong"
        cache.delete("ping")
    finally:
        # Django keeps the pool open for the process; close it so no socket is left to GC.
        for pool in cache._cache._pools.values():
            pool.disconnect()


SHOW_HEALTH_CHECKS = (
    "from django.conf import settings; print(settings.DATABASES['default']['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(("value", "shown"), [("", "False"), ("1", "True")])
def test_connection_health_checks_are_off_unless_turned_on(value, shown):
    env = {
        "DJANGO_SETTINGS_MODULE": "dealmap.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/never_connected",
        "CONN_HEALTH_CHECKS": value,
    }
    result = _run(["manage.py", "shell", "-v0", "-c", SHOW_HEALTH_CHECKS], **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown
