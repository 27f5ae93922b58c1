from django.db import models
from django.db.models import Q
from django.urls import reverse

from dealmap.editorial import Editorial, Status


def map_published_q(prefix=""):
    """A map the public may see, as a Q; `prefix` is the path from the queried model to the
    map (`"map__"` from a layer). The one definition of "published" for maps."""
    return Q(**{f"{prefix}status": Status.PUBLISHED})


class MapQuerySet(models.QuerySet):
    def published(self):
        return self.filter(map_published_q())


class Map(Editorial):
    """One market map: a set of layers, each holding projects."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    tagline = models.CharField(max_length=240, blank=True)
    intro = models.TextField(blank=True, help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = MapQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("maps:map", kwargs={"slug": self.slug})


class Layer(models.Model):
    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="layers")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["map__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["map", "slug"], name="layer_slug_unique_in_map"),
        ]

    def __str__(self):
        return f"{self.map.name} / {self.name}" if self.map_id else self.name
