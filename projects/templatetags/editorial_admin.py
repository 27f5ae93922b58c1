from django import template
from django.urls import reverse

from dealmap.editorial import Status
from layers.models import Map
from projects.models import Project

register = template.Library()


@register.inclusion_tag("admin/editorial/dashboard.html", takes_context=True)
def editorial_dashboard(context):
    """The admin index panel: what needs review and what awaits approval, linked to the list."""
    user = context["request"].user
    if not user.has_perm("projects.view_project"):
        return {"show": False}
    projects = reverse("admin:projects_project_changelist")
    return {
        "show": True,
        "needs_review": Project.objects.needs_review().count(),
        "needs_review_url": f"{projects}?freshness=needs_review",
        "awaiting": Project.objects.awaiting_approval().count(),
        "awaiting_url": f"{projects}?status__exact={Status.IN_REVIEW}",
        "maps_awaiting": Map.objects.filter(status=Status.IN_REVIEW).count(),
        "maps_awaiting_url": f"{reverse('admin:layers_map_changelist')}?status__exact="
        f"{Status.IN_REVIEW}",
    }
