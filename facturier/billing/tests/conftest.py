import pytest


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Each test gets its own empty media storage, so file assertions see only that test's files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path
