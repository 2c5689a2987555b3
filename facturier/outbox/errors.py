"""Sorting send failures into temporary (retry later) and permanent (give up now), with a readable reason."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.utils.translation import gettext_noop

from facturier.core.stored_text import Message, message


@dataclass(frozen=True)
class SendFailure:
    """`reason` is stored as a message (core.stored_text), the server's or library's words quoted in it."""

    temporary: bool
    reason: Message


class AttachmentMissing(Exception):
    """A stored attachment could not be found: retrying will not bring it back."""


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def _recipients_refused(error: smtplib.SMTPRecipientsRefused) -> SendFailure:
    replies = [(code, _smtp_reply(code, message)) for code, message in error.recipients.values()]
    reason = _said(gettext_noop("destinataire refusé : %(detail)s"), "; ".join(reply for _code, reply in replies))
    return SendFailure(temporary=all(400 <= code < 500 for code, _reply in replies), reason=reason)


def classify(error: BaseException) -> SendFailure:
    """Return whether `error` is worth retrying and why it happened."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _recipients_refused(error)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our credentials, not the message, are wrong: keep it until the operator fixes the configuration.
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        return SendFailure(True, _said(gettext_noop("authentification SMTP refusée : %(detail)s"), reply))
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        reason = _said(gettext_noop("serveur SMTP : %(detail)s"), reply)
        return SendFailure(temporary=not 500 <= error.smtp_code < 600, reason=reason)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return SendFailure(True, _said(gettext_noop("connexion SMTP interrompue : %(detail)s"), str(error)))
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return SendFailure(True, _said(gettext_noop("configuration SMTP : %(detail)s"), str(error)))
    if isinstance(error, AttachmentMissing):
        return SendFailure(False, _said(gettext_noop("pièce jointe introuvable : %(detail)s"), str(error)))
    if isinstance(error, AnymailRecipientsRefused | AnymailInvalidAddress):
        return SendFailure(False, _said(gettext_noop("destinataire refusé : %(detail)s"), str(error)))
    if isinstance(error, AnymailError):
        return SendFailure(True, _said(gettext_noop("service d'envoi : %(detail)s"), str(error)))
    if isinstance(error, TimeoutError):
        return SendFailure(True, message(gettext_noop("délai dépassé en parlant au serveur d'envoi")))
    if isinstance(error, OSError):
        return SendFailure(True, _said(gettext_noop("serveur d'envoi injoignable : %(detail)s"), str(error)))
    if isinstance(error, ValueError):
        # Django refuses a malformed header or address before talking to any server.
        return SendFailure(False, _said(gettext_noop("message invalide : %(detail)s"), str(error)))
    return SendFailure(True, _said(gettext_noop("erreur inattendue : %(detail)s"), f"{type(error).__name__}: {error}"))


def _said(msgid: str, detail: str) -> Message:
    return message(msgid, detail=detail)
