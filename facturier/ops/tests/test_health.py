"""/healthz reports each dependency and answers 503 as soon as one is unreachable."""

from __future__ import annotations

import pytest
from botocore.config import Config

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.django_db
def test_healthz_is_ok_when_database_storage_and_broker_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "storage": {"ok": True}, "broker": {"ok": True}},
    }


@pytest.mark.django_db
def test_healthz_answers_503_and_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["broker"]["ok"] is False
    assert "OperationalError" in body["checks"]["broker"]["error"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_object_storage_is_unreachable(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "facturier",
                "endpoint_url": "http://127.0.0.1:1",
                "access_key": "x",
                "secret_key": "y",
                "region_name": "eu-west-3",
                "client_config": Config(
                    retries={"max_attempts": 1}, connect_timeout=1
                ),
            },
        },
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["database"] == {"ok": True}
