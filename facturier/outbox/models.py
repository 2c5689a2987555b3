"""The e-mail outbox: one row per message with an explicit state machine, and its append-only history."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import Seller
from facturier.core.fields import JSONField


class OutgoingEmail(models.Model):
    """One message to send, kept until sent or given up.

    held → queued → sending → sent | retrying | failed | bounced; retrying → sending again when due.
    The row keeps references to its attachments (default storage names), never their bytes.
    """

    STATE_HELD = "held"
    STATE_QUEUED = "queued"
    STATE_SENDING = "sending"
    STATE_SENT = "sent"
    STATE_RETRYING = "retrying"
    STATE_FAILED = "failed"
    STATE_BOUNCED = "bounced"
    STATE_CHOICES = [
        (STATE_HELD, _("En attente du document")),
        (STATE_QUEUED, _("En file d'envoi")),
        (STATE_SENDING, _("Envoi en cours")),
        (STATE_SENT, _("Envoyé")),
        (STATE_RETRYING, _("Nouvel essai prévu")),
        (STATE_FAILED, _("Échec")),
        (STATE_BOUNCED, _("Rejeté par le destinataire")),
    ]
    DUE_STATES = (STATE_QUEUED, STATE_RETRYING)
    PROBLEM_STATES = (STATE_FAILED, STATE_BOUNCED)

    # RFC 5322 Message-ID with its angle brackets; the same for every attempt of this row.
    message_id = models.CharField(max_length=255, unique=True)
    # The id an ESP API returned for the message, when it differs from our Message-ID (anymail backends).
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="outgoing_emails")
    related_key = models.CharField(max_length=100, db_index=True)
    to = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200)
    reply_to = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    attachments = JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=STATE_QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resend_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            # The portal reads each invoice's latest email: related_key, newest first.
            models.Index(fields=["related_key", "-id"], name="outbox_related_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to or '?'} ({self.state})"


class EmailEvent(models.Model):
    """One step in an e-mail's life, for the per-invoice history shown to the seller. Never edited."""

    KIND_HELD = "held"
    KIND_QUEUED = "queued"
    KIND_ATTEMPT_FAILED = "attempt_failed"
    KIND_SENT = "sent"
    KIND_FAILED = "failed"
    KIND_BOUNCED = "bounced"
    KIND_COMPLAINED = "complained"
    KIND_DELIVERED = "delivered"
    KIND_RESENT = "resent"
    KIND_CHOICES = [
        (KIND_HELD, _("En attente du document")),
        (KIND_QUEUED, _("Mis en file d'envoi")),
        (KIND_ATTEMPT_FAILED, _("Essai d'envoi échoué")),
        (KIND_SENT, _("Envoyé")),
        (KIND_FAILED, _("Échec définitif")),
        (KIND_BOUNCED, _("Rejeté par le destinataire")),
        (KIND_COMPLAINED, _("Signalé comme indésirable")),
        (KIND_DELIVERED, _("Remis au destinataire")),
        (KIND_RESENT, _("Renvoyé")),
    ]

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("EmailEvent is append-only")
        super().save(*args, **kwargs)
