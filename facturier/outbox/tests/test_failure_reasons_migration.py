"""Migration outbox 0004 rewrites the failure reasons stored before messages as messages when it knows their
wording, the server's words quoted; any other text stays as it was."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from facturier.core.stored_text import render
from facturier.outbox.models import EmailEvent, OutgoingEmail

migration = importlib.import_module("facturier.outbox.migrations.0004_failure_reasons_as_messages")


def in_english(text: str) -> str:
    with translation.override("en"):
        return render(text)


@pytest.mark.django_db
def test_known_failure_wordings_become_messages_and_a_bounce_stays_as_it_was(seller_a):
    fields = {"seller": seller_a, "subject": "Facture", "text_body": "", "state": OutgoingEmail.STATE_FAILED}
    refused = OutgoingEmail.objects.create(message_id="<1@x>", to="a@example.com", **fields,
                                           last_error="destinataire refusé : 550 5.1.1 Utilisateur inconnu")
    bounced = OutgoingEmail.objects.create(message_id="<2@x>", to="b@example.com", **fields,
                                           last_error="Mailbox full")  # fmt: skip
    gave_up = EmailEvent.objects.create(email=refused, kind=EmailEvent.KIND_FAILED,
                                        detail="abandon après 48 h : serveur d'envoi injoignable : [Errno 111] refused")

    migration.forwards(apps, None)

    assert in_english(OutgoingEmail.objects.get(pk=refused.pk).last_error) == (
        "recipient refused: 550 5.1.1 Utilisateur inconnu")
    assert OutgoingEmail.objects.get(pk=bounced.pk).last_error == "Mailbox full"
    assert in_english(EmailEvent.objects.get(pk=gave_up.pk).detail) == (
        "given up after 48 h: sending server unreachable: [Errno 111] refused")
