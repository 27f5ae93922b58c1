"""Query expressions shared by the public pages and search."""

from django.db.models import IntegerField, Subquery


class CappedCount(Subquery):
    """How many rows `queryset` has, counting no further than `cap`.

    COUNT(*) over a LIMIT: an index probe of at most `cap` entries, where a plain
    COUNT reads every match (11,000 per layer at 100,000 projects).
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"

    def __init__(self, queryset, cap):
        super().__init__(queryset.order_by().values("pk")[:cap], output_field=IntegerField())
