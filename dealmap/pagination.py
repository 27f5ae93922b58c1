"""Page-number paging for the partner API (`count`, `next`, `previous`, `results`), and the
cached exact count that the API and the public project list share."""

import hashlib
from functools import cached_property, partial

from django.core.paginator import Paginator
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

from dealmap import content_version

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Counts are keyed by the content version, so any edit makes them stale at once;
# the timeout only lets keys of old versions go.
COUNT_TIMEOUT = 60 * 60
# Parameters that choose a page, not the rows: the count is the same for all of them.
PAGING_PARAMS = {"page", "page_size", "ordering", "format"}
MAX_OFFSET = 2**31


class CachedCountPaginator(Paginator):
    """An exact count, kept per content version and filter (`count_key`).

    COUNT(*) over 100,000 published projects costs as much as the page itself; the
    count only changes when the content does, and the content version moves with it.
    """

    def __init__(self, *args, count_key, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        self.version = version

    @cached_property
    def count(self):
        return content_version.remember(
            self.version,
            f"count:{self.count_key}",
            lambda: Paginator.count.func(self),
            timeout=COUNT_TIMEOUT,
        )


class CappedPaginator(Paginator):
    """Counts no further than `cap` rows past the start of the page asked for.

    A COUNT of every match reads every match (60 ms for a search at 100,000
    projects); past the cap the page says "1,000+" and offers the next page.
    """

    def __init__(self, *args, cap, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = self.cap = cap

    def get_page(self, number):
        try:
            start = (max(int(number), 1) - 1) * self.per_page
        except (TypeError, ValueError):
            start = 0
        # A page past the end shows the last one; the database must still take the LIMIT.
        self.limit = min(start, MAX_OFFSET) + self.cap
        return super().get_page(number)

    @cached_property
    def found(self):
        # A list that reads its rows its own way counts them its own way too.
        if hasattr(self.object_list, "capped_count"):
            return self.object_list.capped_count(self.limit + 1)
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @property
    def count(self):
        return min(self.found, self.limit)

    @property
    def capped(self):
        return self.found > self.limit


def count_key(query, scope):
    """The view (`scope`) and its filters (a QueryDict) less paging, as a short key part."""
    params = sorted(
        (name, value)
        for name, values in query.lists()
        if name not in PAGING_PARAMS
        for value in values
    )
    return f"{scope}:{hashlib.sha256(repr(params).encode()).hexdigest()}"


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (capped at MAX_PAGE_SIZE); a bad value is a 400 naming it."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page_size": ["A whole number from 1 upwards."]})
        return min(int(raw), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw != "last" and (not raw.isdigit() or int(raw) < 1):
            raise ValidationError({"page": ["A whole number from 1 upwards."]})
        # A view that shows public content (it moves the content version) opts in.
        scope = getattr(view, "count_cache_scope", None)
        if scope:
            # The version the view's ETag was made from, if it read one already.
            version = getattr(view, "content_version", None) or content_version.current()
            self.django_paginator_class = partial(
                CachedCountPaginator,
                count_key=count_key(request.query_params, scope),
                version=version,
            )
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({"page": [str(exc.detail)]}) from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE} "
                    "(a larger value is capped)."
                )
                parameter["schema"]["minimum"] = 1
            else:
                parameter["schema"]["minimum"] = 1
        return parameters
