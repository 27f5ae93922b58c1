from django.apps import AppConfig


class DealmapConfig(AppConfig):
    name = "dealmap"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from dealmap import content_version

        content_version.connect_signals()
