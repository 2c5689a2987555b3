"""The default storage as tests see it: a fresh folder per test, and every file name in it."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage


def stored_names(top: str = "") -> list[str]:
    """Every file under `top` in the default storage, sorted."""
    try:
        directories, files = default_storage.listdir(top)
    except FileNotFoundError:
        return []
    prefix = f"{top}/" if top else ""
    names = [f"{prefix}{name}" for name in files]
    for directory in directories:
        names.extend(stored_names(f"{prefix}{directory}"))
    return sorted(names)


@pytest.fixture
def media_storage(settings, tmp_path):
    """This test's own empty media storage, so file assertions see only this test's files."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location
