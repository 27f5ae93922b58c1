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
from django.db.models import Exists, Expression, F, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Greatest

from projects.expressions import CappedCount
from projects.models import Project, Tag, TeamMember

# Below this trigram word similarity a name does not count as a typo of the query.
# PostgreSQL reads it as pg_trgm.word_similarity_threshold, set on each new connection
# (projects/apps.py), so `name %> q` can use the trigram index.
TYPO_SIMILARITY = 0.35
# Each way of matching (words, team, tags, typos) stops at this many projects; the
# page then ranks at most four times as many, whatever the size of the catalogue.
MATCHES = 200
# Team members or tag links read, at most (a tag on more projects matches only this many).
LINKS = 1000
# Fewer matches than this (a page of results) and search also looks for misspellings.
FEW_MATCHES = 48


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
    """The best-ranked of a bounded set of matches, each way of matching on its own index.

    One OR across columns, tables and subqueries defeats every index (a full scan
    computing each row's document: 10 s at 100,000 projects), so the candidates come
    from a UNION ALL of indexed lookups, each stopping at MATCHES rows: a common word
    ranks a few hundred candidates, not the 30,000 projects that contain it
    (`is_capped` tells the page). Each lookup applies the page's other filters, so the
    cap counts matches the visitor can see.
    """
    query = SearchQuery(q, search_type="websearch", config="english")
    words = SearchVector("name", config="english")
    by_text = queryset.alias(document=SearchDocument()).filter(
        Q(document=query) | Q(name__icontains=q) | Q(one_liner__icontains=q)
    )
    team = TeamMember.objects.alias(words=words).filter(Q(words=query) | Q(name__icontains=q))
    tags = Tag.objects.alias(words=words).filter(Q(words=query) | Q(name__icontains=q))
    tagged = Project.tags.through.objects.filter(tag__in=tags)
    # The LIMITs keep the members' and the tagged projects' ids subqueries computed
    # once from their own indexes: joined, PostgreSQL walked all 275,000 tag links
    # when no tag matched (45 ms).
    by_team = queryset.filter(pk__in=Subquery(team.values("project_id")[:LINKS]))
    by_tag = queryset.filter(pk__in=Subquery(tagged.values("project_id")[:LINKS]))
    # Misspellings only when the words themselves find less than a page: a trigram
    # lookup of a short common word matches thousands of names.
    by_typo = queryset.alias(found=CappedCount(by_text, FEW_MATCHES)).filter(
        found__lt=FEW_MATCHES, name__trigram_word_similar=q
    )
    lookups = [by_text, by_team, by_tag, by_typo]
    first, *others = [found.order_by().values("pk")[:MATCHES] for found in lookups]
    return (
        queryset.filter(pk__in=first.union(*others, all=True))
        .annotate(
            search_rank=SearchRank(SearchDocument(), query),
            name_similarity=TrigramWordSimilarity(q, "name"),
        )
        .annotate(
            relevance=Greatest(F("search_rank"), F("name_similarity"), output_field=FloatField())
        )
        .order_by("-relevance", "name")
    )


def is_capped(count):
    """Whether a search that found `count` projects may have stopped short of some."""
    return connection.vendor == "postgresql" and count >= MATCHES
