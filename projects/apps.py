from django.apps import AppConfig
from django.db.backends.signals import connection_created


def set_typo_threshold(sender, connection, **kwargs):
    """Search's `name %> q` (indexed) matches above pg_trgm's word similarity threshold."""
    if connection.vendor != "postgresql":
        return
    from projects.search import TYPO_SIMILARITY

    with connection.cursor() as cursor:
        # set_config() rather than SET: SET takes no bound parameter, which server-side
        # binding (DATABASE_PREPARED) sends as $1.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TYPO_SIMILARITY)],
        )


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        connection_created.connect(set_typo_threshold, dispatch_uid="projects.typo_threshold")
        from projects import changes

        changes.connect_signals()
