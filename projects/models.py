import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from dealmap.editorial import Editorial, Status
from layers.models import Layer, map_published_q


class CurrentDate(models.Func):
    """SQL CURRENT_DATE: allowed in CHECK constraints by SQLite and PostgreSQL alike."""

    template = "CURRENT_DATE"
    output_field = models.DateField()


def web_url_constraint(field, prefix, *, required=False):
    """A URL column holds an http(s) address (or nothing, where it is optional).

    Forms validate URLs fully; this keeps imports and raw SQL from storing
    `javascript:` or other schemes that would end up in an href.
    """
    web = Q(**{f"{field}__startswith": "http://"}) | Q(**{f"{field}__startswith": "https://"})
    condition = web if required else web | Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=f"{prefix}_{field}_is_web_url")


LINK_FIELDS = ("website", "x_url", "github_url", "docs_url")


class Stage(models.TextChoices):
    SEED = "seed", "Seed"
    SERIES_A = "series_a", "Series A"
    SERIES_B = "series_b", "Series B+"
    GROWTH = "growth", "Growth"
    LIVE_NETWORK = "live_network", "Live network"
    OPEN_PROTOCOL = "open_protocol", "Open protocol"


class Tag(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def published_q(prefix="", *, any_map=False):
    """What visitors and partners may see, as a Q: published, on a published map.

    The one definition of "published" for projects. `prefix` is the path from the
    queried model to the project, so subqueries, counts and joins say it the same
    way: `Layer.objects.annotate(n=Count("projects", filter=published_q("projects__")))`.
    `any_map`: the project's own status only, for a staff preview of a map not yet
    published, which shows what its map will show once it is.
    """
    own = Q(**{f"{prefix}status": Status.PUBLISHED})
    return own if any_map else own & map_published_q(f"{prefix}layer__map__")


class ProjectQuerySet(models.QuerySet):
    def published(self):
        """What visitors and partners may see (published_q)."""
        return self.filter(published_q())

    def with_freshness(self):
        """Annotate `needs_review`: not reviewed for REVIEW_MAX_AGE_DAYS, or a stale metric.

        A metric is stale when the newest point of its series (rows sharing a
        label) is older than REVIEW_METRIC_MAX_AGE_DAYS: old points of a series
        that goes on are history, not staleness. Archived projects never need review.
        """
        now = timezone.now()
        metric_cutoff = now.date() - datetime.timedelta(days=settings.REVIEW_METRIC_MAX_AGE_DAYS)
        review_cutoff = now - datetime.timedelta(days=settings.REVIEW_MAX_AGE_DAYS)
        newer_point = TractionMetric.objects.filter(
            project=OuterRef("project"), label=OuterRef("label"), as_of__gte=metric_cutoff
        )
        stale_series = TractionMetric.objects.filter(
            project=OuterRef("pk"), as_of__lt=metric_cutoff
        ).filter(~Exists(newer_point))
        return self.annotate(
            has_stale_metric=Exists(stale_series),
            reviewed_or_created_at=Coalesce("last_reviewed_at", "created_at"),
        ).annotate(
            needs_review=Case(
                When(status=Status.ARCHIVED, then=False),
                When(reviewed_or_created_at__lt=review_cutoff, then=True),
                When(has_stale_metric=True, then=True),
                default=False,
                output_field=BooleanField(),
            )
        )

    def needs_review(self):
        return self.with_freshness().filter(needs_review=True)

    def awaiting_approval(self):
        return self.filter(status=Status.IN_REVIEW)


class Project(Editorial):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="projects")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the layer.")
    one_liner = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    our_view = models.TextField(blank=True, help_text="Markdown: the firm's view.")
    our_view_date = models.DateField(null=True, blank=True)
    website = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter)", blank=True)
    github_url = models.URLField("GitHub", blank=True)
    docs_url = models.URLField("Docs", blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    headquarters = models.CharField(max_length=120, blank=True, help_text="City or place.")
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO code such as US.")],
        help_text="ISO 3166-1 alpha-2 code, e.g. US, GB, CH.",
    )
    token_symbol = models.CharField(max_length=16, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="projects")
    is_portfolio = models.BooleanField("portfolio", default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["layer__map__position", "layer__position", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=1990, founded_year__lte=2100),
                name="project_founded_year_plausible",
            ),
            *[web_url_constraint(field, "project") for field in LINK_FIELDS],
        ]
        # Flat cost at 100,000 projects (docs/benchmarks.md): the public orderings and
        # the per-layer map order read these partial indexes instead of sorting every row.
        # The PostgreSQL-only search indexes live in migration 0007_scale_indexes.
        indexes = [
            models.Index(fields=fields, condition=Q(status=Status.PUBLISHED), name=name)
            for name, fields in [
                ("project_published_name", ["name"]),
                ("project_published_updated", ["updated_at"]),
                ("project_published_published", ["published_at"]),
                ("project_published_founded", ["founded_year"]),
                ("project_published_layer", ["layer", "position", "name"]),
                # the countries in use, layer by layer (selectors.FACETS_SQL)
                ("project_published_country", ["layer", "country"]),
            ]
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    @property
    def has_token(self):
        return bool(self.token_symbol)


class TeamMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    bio = models.CharField(max_length=400, blank=True)
    url = models.URLField("link", blank=True, help_text="Profile or personal site.")
    is_founder = models.BooleanField("founder", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [web_url_constraint("url", "teammember")]

    def __str__(self):
        return self.name


class Qualifier(models.TextChoices):
    EXACT = "", "exactly"
    OVER = "over", "over"
    ABOUT = "about", "about"
    UP_TO = "up_to", "up to"


class TractionMetric(models.Model):
    """One dated, sourced figure. Rows sharing a label form a time series."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="metrics")
    label = models.CharField(max_length=120)
    value = models.DecimalField(max_digits=20, decimal_places=2)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. USD, GPUs, users.")
    qualifier = models.CharField(max_length=8, choices=Qualifier.choices, blank=True)
    as_of = models.DateField("as of")
    source_url = models.URLField("source", max_length=500)
    note = models.CharField(max_length=300, blank=True)
    is_headline = models.BooleanField("headline", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label", "as_of"]
        constraints = [
            models.CheckConstraint(
                condition=Q(as_of__lte=CurrentDate()), name="metric_as_of_not_in_future"
            ),
            web_url_constraint("source_url", "metric", required=True),
        ]

    def __str__(self):
        return f"{self.label}: {self.value} {self.unit}".strip()


class ChangeKind(models.TextChoices):
    PUBLISHED = "published", "Published"
    UPDATED = "updated", "Updated"
    REMOVED = "removed", "Removed"


class ProjectChange(models.Model):
    """One entry of the partners' changes feed: a project entered, changed within or left
    the published set. Written by projects/changes.py whatever path made the change."""

    slug = models.SlugField(max_length=80, db_index=False)
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.slug}"


class StatusChange(models.Model):
    """One editorial transition of a map or a project: who moved it, when, from where to where.

    The workflow permissions of both maps and projects live here, so the
    Editor and Publisher groups are defined by one app's migrations.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="statuschange_object_idx"
            )
        ]
        permissions = [
            ("submit_project", "Can submit a project for review or send it back to draft"),
            ("publish_project", "Can approve, publish, unpublish and archive a project"),
            ("submit_map", "Can submit a map for review or send it back to draft"),
            ("publish_map", "Can approve, publish, unpublish and archive a map"),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
