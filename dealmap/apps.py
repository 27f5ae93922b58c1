from django.apps import AppConfig


class DealmapConfig(AppConfig):
    name = "dealmap"
    default_auto_field = "django.db.models.BigAutoField"
