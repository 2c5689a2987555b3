"""Sorting send failures into temporary (retry later) and permanent (give up now), with a readable reason."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailInvalidAddress, AnymailRecipientsRefused


@dataclass(frozen=True)
class SendFailure:
    temporary: bool
    reason: str


class AttachmentMissing(Exception):
    """A stored attachment could not be found: retrying will not bring it back."""


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def _recipients_refused(error: smtplib.SMTPRecipientsRefused) -> SendFailure:
    replies = [(code, _smtp_reply(code, message)) for code, message in error.recipients.values()]
    reason = "destinataire refusé : " + "; ".join(reply for _code, reply in replies)
    return SendFailure(temporary=all(400 <= code < 500 for code, _reply in replies), reason=reason)


def classify(error: BaseException) -> SendFailure:
    """Return whether `error` is worth retrying and why it happened."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _recipients_refused(error)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our credentials, not the message, are wrong: keep it until the operator fixes the configuration.
        return SendFailure(True, "authentification SMTP refusée : " + _smtp_reply(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        return SendFailure(temporary=not 500 <= error.smtp_code < 600, reason=f"serveur SMTP : {reply}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return SendFailure(True, f"connexion SMTP interrompue : {error}")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return SendFailure(True, f"configuration SMTP : {error}")
    if isinstance(error, AttachmentMissing):
        return SendFailure(False, f"pièce jointe introuvable : {error}")
    if isinstance(error, AnymailRecipientsRefused | AnymailInvalidAddress):
        return SendFailure(False, f"destinataire refusé : {error}")
    if isinstance(error, AnymailError):
        return SendFailure(True, f"service d'envoi : {error}")
    if isinstance(error, TimeoutError):
        return SendFailure(True, "délai dépassé en parlant au serveur d'envoi")
    if isinstance(error, OSError):
        return SendFailure(True, f"serveur d'envoi injoignable : {error}")
    if isinstance(error, ValueError):
        # Django refuses a malformed header or address before talking to any server.
        return SendFailure(False, f"message invalide : {error}")
    return SendFailure(True, f"erreur inattendue : {type(error).__name__}: {error}")
