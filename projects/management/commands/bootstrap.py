import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from layers.models import Map

FIXTURES = ["decentralized-ai", "companion-maps"]


class Command(BaseCommand):
    help = "First-run set-up: load the firm's maps into an empty database and make an admin login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where the site runs.")

    def handle(self, *args, username, url, **options):
        if Map.objects.exists():
            self.stdout.write("Maps already loaded; leaving the content as it is.")
        else:
            call_command("loaddata", *FIXTURES, verbosity=0)
            # A first revision of each loaded object, so the admin's history,
            # compare and conflict messages have a starting point.
            call_command("createinitialrevisions", comment="Loaded from the fixtures.", verbosity=0)
            self.stdout.write(self.style.SUCCESS(f"Loaded the maps: {', '.join(FIXTURES)}."))
        self.ensure_admin(username, admin_url=url.rstrip("/") + "/admin/")

    def ensure_admin(self, username, *, admin_url):
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin login exists already. Forgot its password? "
                f"Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        # A fresh random password each install: nothing guessable is ever committed.
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "\nAdmin login created (shown once, keep it):\n"
                f"  {admin_url}\n  username: {username}\n  password: {password}\n"
            )
        )
