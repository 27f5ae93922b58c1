"""Staff create, name, expire and revoke partner keys in the admin; a key is shown once and
stored hashed; a revoked, expired or unknown key is refused."""

import datetime
import re

import pytest
from django.utils import timezone

from partners.models import PartnerKey, hash_key

pytestmark = pytest.mark.django_db


def _create_in_admin(admin_client, **fields):
    response = admin_client.post(
        "/admin/partners/partnerkey/add/", {"name": "Research desk", **fields}, follow=True
    )
    message = next(str(m) for m in response.context["messages"])
    return re.search(r"dmk_\S+", message).group(0)


def test_admin_creates_a_key_shown_once_and_stored_hashed(admin_client):
    raw_key = _create_in_admin(admin_client)

    key = PartnerKey.objects.get()
    assert key.name == "Research desk"
    assert key.key_hash == hash_key(raw_key)
    assert key.prefix == raw_key[:12]
    assert raw_key not in str(PartnerKey.objects.values())
    listing = admin_client.get("/admin/partners/partnerkey/").content.decode()
    detail = admin_client.get(f"/admin/partners/partnerkey/{key.pk}/change/").content.decode()
    assert key.prefix in listing
    assert raw_key not in listing + detail


def test_admin_created_key_is_accepted_and_marks_last_use(client, admin_client):
    raw_key = _create_in_admin(admin_client)

    response = client.get("/api/v1/maps/", headers={"X-API-Key": raw_key})

    assert response.status_code == 200
    assert PartnerKey.objects.get().last_used_at is not None


def test_admin_revoke_action_refuses_the_key(client, admin_client):
    raw_key = _create_in_admin(admin_client)
    key = PartnerKey.objects.get()

    admin_client.post(
        "/admin/partners/partnerkey/", {"action": "revoke", "_selected_action": [key.pk]}
    )
    response = client.get("/api/v1/maps/", headers={"X-API-Key": raw_key})

    assert response.status_code == 401
    assert response.json() == {"detail": "This API key has been revoked."}
    assert response["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'


def test_expired_key_is_refused(client, admin_client):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    raw_key = _create_in_admin(
        admin_client,
        expires_at_0=yesterday.date().isoformat(),
        expires_at_1=yesterday.time().isoformat(timespec="seconds"),
    )

    response = client.get("/api/v1/projects/", headers={"X-API-Key": raw_key})

    assert PartnerKey.objects.get().expires_at is not None
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key has expired."}


def test_unknown_key_is_refused(client):
    response = client.get("/api/v1/maps/", headers={"X-API-Key": "dmk_made-up"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown API key."}


def test_key_with_a_future_expiry_is_accepted(client):
    key = PartnerKey(name="Fund", expires_at=timezone.now() + datetime.timedelta(days=30))
    raw_key = key.set_new_key()
    key.save()

    assert client.get("/api/v1/maps/", headers={"X-API-Key": raw_key}).status_code == 200
    assert list(PartnerKey.objects.usable()) == [key]
