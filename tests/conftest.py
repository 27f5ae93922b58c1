import pytest
from django.core.cache import caches
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _clear_cache():
    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()


@pytest.fixture
def real_maps(db):
    """The firm's real content, exactly as `make run` loads it."""
    call_command("loaddata", "decentralized-ai", "companion-maps", verbosity=0)
