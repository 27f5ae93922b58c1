"""Partner API for maps and layers: published maps only, looked up by slug."""

import django_filters as filters
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.reverse import reverse

from dealmap.api import ERROR_RESPONSES, NOT_FOUND, ConditionalMixin
from dealmap.markdown import render_markdown
from layers.models import Layer, Map, map_published_q
from projects.models import published_q


def _path(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.PATH, description=description)


def public_layers():
    return (
        Layer.objects.filter(map_published_q("map__"))
        .select_related("map")
        .annotate(project_count=Count("projects", filter=published_q("projects__")))
        # An aggregate drops Meta.ordering: page through a stable order.
        .order_by("map__position", "map__name", "position", "name")
    )


class LayerSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    map = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    project_count = serializers.IntegerField(read_only=True, help_text="Published projects.")

    class Meta:
        model = Layer
        fields = ["url", "map", "slug", "name", "description", "position", "project_count"]

    def get_url(self, layer) -> str:
        kwargs = {"map_slug": layer.map.slug, "slug": layer.slug}
        return reverse("api:layer-detail", kwargs=kwargs, request=self.context.get("request"))


class MapListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:map-detail", lookup_field="slug")
    project_count = serializers.IntegerField(read_only=True, help_text="Published projects.")

    class Meta:
        model = Map
        fields = ["url", "slug", "name", "tagline", "position", "project_count", "updated_at"]


class MapDetailSerializer(MapListSerializer):
    intro_html = serializers.SerializerMethodField(help_text="`intro` rendered and sanitised.")
    layers = LayerSerializer(many=True, read_only=True)

    class Meta(MapListSerializer.Meta):
        fields = [*MapListSerializer.Meta.fields, "intro", "intro_html", "layers"]

    def get_intro_html(self, map) -> str:
        return str(render_markdown(map.intro))


MAP_EXAMPLE = {
    "url": "https://maps.example.com/api/v1/maps/decentralized-ai/",
    "slug": "decentralized-ai",
    "name": "Decentralized AI",
    "tagline": "AI wants to be open",
    "position": 0,
    "project_count": 35,
    "updated_at": "2026-11-20T09:30:00Z",
}
LAYER_EXAMPLE = {
    "url": "https://maps.example.com/api/v1/layers/decentralized-ai/compute/",
    "map": "decentralized-ai",
    "slug": "compute",
    "name": "Compute",
    "description": "Decentralised GPU markets.",
    "position": 1,
    "project_count": 5,
}


@extend_schema_view(
    list=extend_schema(
        summary="Published maps",
        responses={200: MapListSerializer(many=True), **ERROR_RESPONSES},
        examples=[OpenApiExample("A map", value=MAP_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One published map with its layers",
        parameters=[_path("slug", "The map's slug.")],
        responses={
            200: MapDetailSerializer,
            (404, "application/json"): NOT_FOUND,
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "A map",
                value={
                    **MAP_EXAMPLE,
                    "intro": "*Open* AI.",
                    "intro_html": "<p><em>Open</em> AI.</p>",
                    "layers": [LAYER_EXAMPLE],
                },
                response_only=True,
            )
        ],
    ),
)
class MapViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        maps = (
            Map.objects.published()
            .annotate(
                project_count=Count("layers__projects", filter=published_q("layers__projects__"))
            )
            .order_by("position", "name")
        )
        if self.action == "retrieve":
            maps = maps.prefetch_related(Prefetch("layers", queryset=public_layers()))
        return maps

    def get_serializer_class(self):
        return MapDetailSerializer if self.action == "retrieve" else MapListSerializer


class LayerFilter(filters.FilterSet):
    map = filters.ModelChoiceFilter(
        field_name="map",
        to_field_name="slug",
        queryset=Map.objects.published(),
        label="Only the layers of this map (its slug).",
    )

    class Meta:
        model = Layer
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="Layers of the published maps",
        responses={200: LayerSerializer(many=True), **ERROR_RESPONSES},
        examples=[OpenApiExample("A layer", value=LAYER_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One layer, by its map's slug and its own",
        parameters=[
            _path("map_slug", "The slug of the layer's map."),
            _path("slug", "The layer's slug (unique within its map)."),
        ],
        responses={200: LayerSerializer, (404, "application/json"): NOT_FOUND, **ERROR_RESPONSES},
        examples=[OpenApiExample("A layer", value=LAYER_EXAMPLE, response_only=True)],
    ),
)
class LayerViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LayerSerializer
    filterset_class = LayerFilter

    def get_queryset(self):
        return public_layers()

    def get_object(self):
        # A layer's slug is unique only within its map, so the route carries both.
        layer = get_object_or_404(
            self.get_queryset(), map__slug=self.kwargs["map_slug"], slug=self.kwargs["slug"]
        )
        self.check_object_permissions(self.request, layer)
        return layer
