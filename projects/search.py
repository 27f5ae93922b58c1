"""Project search: weighted full text with typo tolerance on PostgreSQL, a plain match elsewhere.

Both engines take the same `q` and, on the real content, find the same projects
for whole words; PostgreSQL ranks them and also finds misspelled names.
"""

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Exists, Expression, F, FloatField, OuterRef, Q
from django.db.models.functions import Greatest

from projects.models import Project, Tag, TeamMember

# Below this trigram word similarity a name does not count as a typo of the query.
# PostgreSQL reads it as pg_trgm.word_similarity_threshold, set on each new connection
# (projects/apps.py), so `name %> q` can use the trigram index.
TYPO_SIMILARITY = 0.35


def search_projects(queryset, q):
    q = " ".join(q.split())
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, q)
    return queryset.filter(_plain_match(q))


def _plain_match(q):
    team = TeamMember.objects.filter(project=OuterRef("pk"), name__icontains=q)
    tags = Project.tags.through.objects.filter(project=OuterRef("pk"), tag__name__icontains=q)
    return (
        Q(name__icontains=q)
        | Q(one_liner__icontains=q)
        | Q(description__icontains=q)
        | Q(our_view__icontains=q)
        | Exists(team)
        | Exists(tags)
    )


class SearchDocument(Expression):
    """projects_project.search_document: the project's weighted text, kept by a trigger.

    PostgreSQL only (migration 0007_scale_indexes). The model does not declare the column, so
    no page or API response ever fetches it; search reads it for matching (GIN
    index) and ranking.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.base_table)
        return f"{alias}.search_document", []


def _postgres_search(queryset, q):
    """Each way of matching reads its own index; only the matches are ranked.

    One OR across columns, tables and subqueries defeats every index (a full
    scan computing each row's document: 10 s at 100,000 projects), so the
    matching ids come from a UNION of indexed lookups instead (docs/benchmarks.md).
    """
    query = SearchQuery(q, search_type="websearch", config="english")
    words = SearchVector("name", config="english")
    by_text = Project.objects.alias(document=SearchDocument()).filter(document=query)
    by_name = Project.objects.filter(
        Q(name__trigram_word_similar=q) | Q(name__icontains=q) | Q(one_liner__icontains=q)
    )
    by_team = TeamMember.objects.alias(words=words).filter(Q(words=query) | Q(name__icontains=q))
    tags = Tag.objects.alias(words=words).filter(Q(words=query) | Q(name__icontains=q))
    by_tag = Project.tags.through.objects.filter(tag__in=tags)
    matches = by_text.values("pk").union(
        by_name.values("pk"),
        by_team.values("project_id"),
        by_tag.values("project_id"),
    )
    return (
        queryset.filter(pk__in=matches)
        .annotate(
            search_rank=SearchRank(SearchDocument(), query),
            name_similarity=TrigramWordSimilarity(q, "name"),
        )
        .annotate(
            relevance=Greatest(F("search_rank"), F("name_similarity"), output_field=FloatField())
        )
        .order_by("-relevance", "name")
    )
