"""Outbox test fixtures: a real SMTP server (aiosmtpd) on loopback that can refuse or go down, and a seller."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

ATTACHMENT_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def plain_text(message: EmailMessage) -> str:
    """The plain-text body of a received message with its line ends as a test writes them (SMTP carries CR LF)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    peer: tuple = ()  # the client's address and port: one per SMTP connection


class RecordingHandler:
    """Records accepted messages; can answer the next RCPT or DATA commands with a chosen reply."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.rcpt_replies: deque[str] = deque()
        self.data_replies: deque[str] = deque()
        self.refused: dict[str, str] = {}
        self.lock = threading.Lock()
        # Called with each accepted message, in a thread of its own (so it may query the database) before the
        # reply goes out: what the sender has recorded at the moment the server accepts a message.
        self.on_accept: Callable[[EmailMessage], None] | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        with self.lock:
            if self.rcpt_replies:
                return self.rcpt_replies.popleft()
            if address in self.refused:
                return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        with self.lock:
            if self.data_replies:
                return self.data_replies.popleft()
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            self.received.append(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message, session.peer))
        if self.on_accept is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_accept, message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that tests can stop (server down) and start again on the same port."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def refuse_next_recipients(self, reply: str, times: int = 1) -> None:
        self.handler.rcpt_replies.extend([reply] * times)

    def refuse_recipient(self, address: str, reply: str) -> None:
        self.handler.refused[address] = reply

    def refuse_next_messages(self, reply: str, times: int = 1) -> None:
        self.handler.data_replies.extend([reply] * times)

    @property
    def received(self) -> list[ReceivedMail]:
        return list(self.handler.received)


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "factures@facturier.example"
    yield server
    server.stop()


def create_outbox_seller(email: str, legal_name: str, support_email: str):
    from facturier.accounts.models import Seller, User

    owner = User.objects.create_user(email=email, password="motdepasse-solide-42")
    return Seller.objects.create(
        owner=owner,
        legal_name=legal_name,
        address_line1="1 rue du Commerce",
        postal_code="75015",
        city="Paris",
        country="FR",
        support_email=support_email,
    )


@pytest.fixture
def outbox_seller(db):
    return create_outbox_seller("owner@ma-boutique.example", "Ma Boutique", "contact@ma-boutique.example")


@pytest.fixture
def stored_invoice_pdf(db) -> str:
    """An invoice PDF in the default storage; returns its storage name."""
    return default_storage.save("invoices/tests/FAC-2026-0001.pdf", ContentFile(ATTACHMENT_BYTES))


INVOICE_SUBJECT = "Votre facture FAC-2026-0001 — commande 2604151234ABC"
INVOICE_TEXT = "Bonjour,\n\nVeuillez trouver ci-joint votre facture FAC-2026-0001.\n\nMa Boutique\n"
INVOICE_HTML = "<p>Bonjour,</p><p>Veuillez trouver ci-joint votre facture <strong>FAC-2026-0001</strong>.</p>"


def invoice_attachment(storage_name: str) -> dict[str, str]:
    return {"filename": "FAC-2026-0001.pdf", "storage_name": storage_name, "mimetype": "application/pdf"}


def enqueue_invoice_email(seller, *, to="acheteur@example.com", related_key="invoice:42", attachments=(), **extra):
    from facturier.outbox import services

    return services.enqueue(
        seller=seller,
        to=to,
        subject=INVOICE_SUBJECT,
        text_body=INVOICE_TEXT,
        html_body=INVOICE_HTML,
        reply_to=None,
        from_name=None,
        related_key=related_key,
        attachments=attachments,
        **extra,
    )


def deliver(message_id_or_pk: int | str, *, now=None) -> str:
    """Send one row through the batch path if it is due; its state afterwards."""
    from facturier.outbox.delivery import deliver_many
    from facturier.outbox.models import OutgoingEmail

    lookup = {"pk": message_id_or_pk} if isinstance(message_id_or_pk, int) else {"message_id": message_id_or_pk}
    pk = OutgoingEmail.objects.get(**lookup).pk
    deliver_many([pk], now=now)
    return OutgoingEmail.objects.values_list("state", flat=True).get(pk=pk)
