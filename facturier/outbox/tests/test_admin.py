"""The operator's outbox admin: searchable, read-only."""

from __future__ import annotations

from facturier.accounts.models import User
from facturier.outbox.tests.fixtures import enqueue_invoice_email


def test_the_operator_can_search_the_outbox_but_not_change_it(client, outbox_seller):
    email = enqueue_invoice_email(outbox_seller, to="trouvez-moi@example.com")
    enqueue_invoice_email(outbox_seller, to="autre@example.com", related_key="invoice:43")
    client.force_login(User.objects.create_superuser(email="ops@facturier.example", password="x" * 12))

    found = client.get("/admin/outbox/outgoingemail/", {"q": "trouvez-moi"})
    by_state = client.get("/admin/outbox/outgoingemail/", {"q": "queued"})
    add = client.get("/admin/outbox/outgoingemail/add/")
    change = client.post(f"/admin/outbox/outgoingemail/{email.pk}/change/", {"to": "pirate@example.com"})

    assert found.status_code == 200
    assert found.context["cl"].result_count == 1
    assert by_state.context["cl"].result_count == 2
    assert add.status_code == 403
    assert change.status_code == 403
    email.refresh_from_db()
    assert email.to == "trouvez-moi@example.com"
