from django.db import models


class ContentVersion(models.Model):
    """One row: the number behind every ETag and cached page (see dealmap/content_version.py).

    The cache holds the live copy; this row is what survives a cache flush and
    what several app servers agree on.
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"content version {self.number}"
