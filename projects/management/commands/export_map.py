import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layers.models import Map
from projects.editorial.imports.mapjson import dumps, export_map


class Command(BaseCommand):
    help = "Export one map (layers, projects, tags, team, metrics, statuses) as dealmap JSON."

    def add_arguments(self, parser):
        parser.add_argument("map", help="slug of the map")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, map, output, **options):
        try:
            the_map = Map.objects.get(slug=map)
        except Map.DoesNotExist:
            slugs = ", ".join(Map.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No map {map!r}. Maps: {slugs}") from None
        text = dumps(export_map(map=the_map))
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
