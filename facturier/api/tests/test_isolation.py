"""The API matrix: every endpoint answers 401 without a token, and 404 for another seller's objects."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from facturier.api.tests.test_api import token_for
from facturier.portal.tests.helpers import issue
from facturier.sales.models import SyncRun

PUBLIC = {"schema"}
OBJECT_URLS = {"invoice_detail": "invoice", "invoice_pdf": "invoice", "sync_run_detail": "sync_run"}
POST_ONLY = {"sync"}


def api_names() -> list[str]:
    namespace = get_resolver().namespace_dict["api"][1]
    return sorted(p.name for p in namespace.url_patterns if isinstance(p, URLPattern))


def test_every_object_url_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["api"][1]
    assert {p.name for p in namespace.url_patterns if p.pattern.converters} == set(OBJECT_URLS)


@pytest.fixture
def objects_of_a(seller_a):
    return {"invoice": issue(seller_a).pk, "sync_run": SyncRun.objects.create(seller=seller_a).pk}


def call(client: Client, name: str, objects: dict, **headers):
    args = [objects[OBJECT_URLS[name]]] if name in OBJECT_URLS else []
    url = reverse(f"api:{name}", args=args)
    return client.post(url, headers=headers) if name in POST_ONLY else client.get(url, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in api_names() if n not in PUBLIC])
def test_anonymous_gets_401(name, objects_of_a):
    assert call(Client(), name, objects_of_a).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_other_seller_gets_404(name, seller_a, seller_b, objects_of_a):
    response = call(Client(), name, objects_of_a, Authorization=f"Bearer {token_for(seller_b)}")
    assert response.status_code == 404
    own = call(Client(), name, objects_of_a, Authorization=f"Bearer {token_for(seller_a)}")
    assert own.status_code == 200
