"""Project search: weighted full text with typo tolerance on PostgreSQL, a plain match elsewhere.

Both engines take the same `q` and, on the real content, find the same projects
for whole words; PostgreSQL ranks them and also finds misspelled names.
"""

from django.db import connection
from django.db.models import (
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from projects.models import Project, TeamMember

# Below this trigram word similarity a name does not count as a typo of the query.
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


def _postgres_search(queryset, q):
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramWordSimilarity,
    )

    def joined(model_qs, field):
        rows = model_qs.values("project").annotate(text=StringAgg(field, delimiter=Value(" ")))
        return Coalesce(Subquery(rows.values("text")), Value(""), output_field=TextField())

    team_names = joined(TeamMember.objects.filter(project=OuterRef("pk")), "name")
    tag_names = joined(Project.tags.through.objects.filter(project=OuterRef("pk")), "tag__name")
    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("one_liner", weight="B", config="english")
        + SearchVector(team_names, tag_names, weight="B", config="english")
        + SearchVector("description", "our_view", weight="C", config="english")
    )
    query = SearchQuery(q, search_type="websearch", config="english")
    return (
        queryset.annotate(
            document=vector,
            search_rank=SearchRank(vector, query),
            name_similarity=TrigramWordSimilarity(q, "name"),
        )
        .filter(Q(document=query) | Q(name_similarity__gte=TYPO_SIMILARITY) | _plain_match(q))
        .annotate(
            relevance=Greatest(F("search_rank"), F("name_similarity"), output_field=FloatField())
        )
        .order_by("-relevance", "name")
    )
