"""Anonymous clients get a modest rate limit, partners with a key a higher one; a 429 says
when to come back."""

import pytest

from partners.models import PartnerKey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The throttle's clock, pinned mid-minute: the counts start afresh each minute."""
    now = [1_800_000_030.0]
    monkeypatch.setattr("partners.throttles.clock", lambda: now[0])
    return now


@pytest.fixture
def limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "partner": "6/min"},
    }


def _partner_key(name="Research desk"):
    key = PartnerKey(name=name)
    raw_key = key.set_new_key()
    key.save()
    return raw_key


def _statuses(client, count, **headers):
    return [client.get("/api/v1/maps/", headers=headers).status_code for _ in range(count)]


def test_anonymous_client_is_limited_with_retry_after(client, limits):
    assert _statuses(client, 3) == [200, 200, 200]

    response = client.get("/api/v1/maps/")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Request was throttled.")


def test_partner_key_gets_the_higher_limit(client, limits):
    raw_key = _partner_key()

    statuses = _statuses(client, 7, **{"X-API-Key": raw_key})

    assert statuses == [200] * 6 + [429]


def test_partner_limits_count_per_key(client, limits):
    first, second = _partner_key("A"), _partner_key("B")
    _statuses(client, 6, **{"X-API-Key": first})

    assert _statuses(client, 1, **{"X-API-Key": second}) == [200]
    assert _statuses(client, 1, **{"X-API-Key": first}) == [429]


def test_anonymous_limit_does_not_touch_partners(client, limits):
    raw_key = _partner_key()
    _statuses(client, 4)

    assert _statuses(client, 1, **{"X-API-Key": raw_key}) == [200]


def test_limit_starts_afresh_in_the_next_minute(client, limits, clock):
    _statuses(client, 3)
    limited = client.get("/api/v1/maps/")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "30"

    clock[0] += 30

    assert _statuses(client, 3) == [200, 200, 200]
