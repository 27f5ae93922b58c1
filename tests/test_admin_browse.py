"""Every model can be browsed and edited in the admin, on the real content."""

import pytest
from django.contrib import admin
from django.urls import reverse

from layers.models import Layer, Map
from projects.models import Project, Tag, TeamMember, TractionMetric

MODELS = [Map, Layer, Project, Tag, TeamMember, TractionMetric]


@pytest.fixture
def staff_client(client, admin_user, real_maps):
    client.force_login(admin_user)
    return client


def test_every_content_model_is_registered():
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_page_show_the_content(staff_client, model):
    obj = model.objects.order_by("pk").first()
    opts = model._meta

    listing = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )

    assert obj in listing.context["cl"].result_list
    assert change.context["original"] == obj
    assert change.context["adminform"].form.instance == obj
