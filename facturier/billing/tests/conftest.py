import pytest


@pytest.fixture(autouse=True)
def _own_media_storage(media_storage):
    """Each billing test gets its own empty media storage (facturier.core.tests.storage)."""
    return media_storage
