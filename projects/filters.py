"""The one FilterSet behind the public project list, the map and the partner API.

A visitor's shareable URL and a partner's API call take the same parameters and
reject the same bad values (a form error on the page, a 400 naming the field in
the API).
"""

import datetime

import django_filters as filters
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django_filters.fields import IsoDateTimeField, ModelChoiceField, ModelMultipleChoiceField

from layers.models import Layer, Map
from projects.models import Project, Stage, Tag
from projects.search import search_projects


class UTCIsoDateTimeField(IsoDateTimeField):
    """ISO 8601, turned into UTC: PostgreSQL refuses offsets past ±15:59 that Python accepts."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise ValidationError("Enter a time between the years 1 and 9999.") from exc


class UTCIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class KnownChoices:
    """Checks chosen slugs against objects the page already fetched (`known`), with no query.

    A page sets `known` on its form's field when it has the choices in hand anyway (a
    map's layers, the tags and maps of the filter panel: projects/panel.py); the API
    sets nothing and the queryset decides.
    """

    known = None

    def known_by_slug(self, value):
        by_slug = {obj.slug: obj for obj in self.known}
        if value not in by_slug:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": value},
            )  # fmt: skip
        return by_slug[value]


class KnownModelChoiceField(KnownChoices, ModelChoiceField):
    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        return self.known_by_slug(str(value))


class KnownModelMultipleChoiceField(KnownChoices, ModelMultipleChoiceField):
    def clean(self, value):
        if self.known is None:
            return super().clean(value)
        # What ModelMultipleChoiceField.clean does, with the known objects for the queryset.
        value = self.prepare_value(value)
        if not value:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if not isinstance(value, (list, tuple)):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        found = [self.known_by_slug(str(slug)) for slug in dict.fromkeys(value)]
        self.run_validators(value)
        return found


class KnownModelChoiceFilter(filters.ModelChoiceFilter):
    field_class = KnownModelChoiceField


class KnownModelMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    field_class = KnownModelMultipleChoiceField


YES_NO = [("true", "Yes"), ("false", "No")]
MAX_QUERY_LENGTH = 200


class ProjectFilter(filters.FilterSet):
    map = KnownModelChoiceFilter(
        field_name="layer__map",
        to_field_name="slug",
        queryset=Map.objects.published(),
        label="Map",
    )
    layer = KnownModelMultipleChoiceFilter(
        # A method (filter_layers) compares layers, not slugs with ids; it also keeps the
        # field name plain, which drf-spectacular needs to type the parameter.
        field_name="layer",
        to_field_name="slug",
        queryset=Layer.objects.filter(map__in=Map.objects.published()),
        label="Layer",
        # No DISTINCT: nothing here repeats a row, and it made PostgreSQL sort every match.
        distinct=False,
        method="filter_layers",
    )
    tag = KnownModelMultipleChoiceFilter(
        field_name="tags",
        to_field_name="slug",
        queryset=Tag.objects.all(),
        label="Tag",
        distinct=False,
        method="filter_tags",
    )
    # distinct=False: no join can repeat a row, and DISTINCT would sort every match at scale.
    stage = filters.MultipleChoiceFilter(choices=Stage.choices, label="Stage", distinct=False)
    country = filters.CharFilter(
        label="Country",
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter country code, e.g. US.")],
        method="filter_country",
    )
    token = filters.ChoiceFilter(choices=YES_NO, method="filter_token", label="Has a token")
    portfolio = filters.ChoiceFilter(
        choices=YES_NO, method="filter_portfolio", label="Portfolio company"
    )
    q = filters.CharFilter(method="filter_search", max_length=MAX_QUERY_LENGTH, label="Search")
    updated_since = UTCIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Updated since (ISO 8601)"
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("updated_at", "updated"),
            ("published_at", "published"),
            ("founded_year", "founded"),
        ),
        label="Order by",
    )

    class Meta:
        model = Project
        fields = []

    def filter_layers(self, queryset, name, layers):
        return queryset.filter(layer__in=layers) if layers else queryset

    def filter_tags(self, queryset, name, tags):
        if not tags:
            return queryset
        # Any of the chosen tags; a subquery keeps one row per project without DISTINCT.
        ids = Project.tags.through.objects.filter(tag__in=tags).values("project_id")
        return queryset.filter(pk__in=ids)

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())

    def filter_token(self, queryset, name, value):
        has_token = queryset.exclude(token_symbol="")
        return has_token if value == "true" else queryset.filter(token_symbol="")

    def filter_portfolio(self, queryset, name, value):
        return queryset.filter(is_portfolio=value == "true")

    def filter_search(self, queryset, name, value):
        return search_projects(queryset, value)
