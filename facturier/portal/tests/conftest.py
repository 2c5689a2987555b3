import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache(django_db_setup, django_db_blocker):
    # The cache is a database table that transactional tests commit to and no flush empties.
    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()
