"""Rewrite the French failure reasons stored before messages (core.stored_text) as messages, the server's words
quoted, for the wordings this code knew (e-mails' last error and their history); any other text stays as it is.
The wordings and the encoding are written out here, as they were, so later code changes leave this migration alone."""

import json
import re

from django.db import migrations

from facturier.core.stored_text import rewrite_stored_texts

DETAILED = (
    "destinataire refusé", "authentification SMTP refusée", "serveur SMTP", "connexion SMTP interrompue",
    "configuration SMTP", "pièce jointe introuvable", "service d'envoi", "serveur d'envoi injoignable",
    "message invalide", "erreur inattendue",
)  # fmt: skip
PLAIN = ("aucune adresse e-mail sur la commande", "délai dépassé en parlant au serveur d'envoi")


def msg(msgid, **params):
    return {"msgid": msgid, "params": params}


def failure(text):
    if text in PLAIN:
        return msg(text)
    if text.startswith("adresse invalide : "):
        return msg("adresse invalide : %(address)s", address=text.removeprefix("adresse invalide : "))
    for start in DETAILED:
        if text.startswith(f"{start} : "):
            return msg(f"{start} : %(detail)s", detail=text.removeprefix(f"{start} : "))
    return None


def event_detail(text):
    attempt = re.fullmatch(r"essai (?P<attempt>\d+) : (?P<reason>.*)", text, re.DOTALL)
    if attempt and failure(attempt["reason"]):
        return msg("essai %(attempt)s : %(reason)s", attempt=int(attempt["attempt"]),
                   reason=failure(attempt["reason"]))  # fmt: skip
    if text.startswith("abandon après 48 h : ") and failure(text.removeprefix("abandon après 48 h : ")):
        return msg("abandon après 48 h : %(reason)s", reason=failure(text.removeprefix("abandon après 48 h : ")))
    if text.startswith("renvoyé à "):
        return msg("renvoyé à %(to)s", to=text.removeprefix("renvoyé à "))
    if text.startswith("à ") and "@" in text:
        return msg("à %(to)s", to=text.removeprefix("à "))
    return failure(text)


def encoded(convert):
    """The converter giving the stored value: the message as one line of JSON, or None for a wording not known."""

    def stored(text):
        message = convert(text)
        return None if message is None else json.dumps(message, ensure_ascii=False)

    return stored


def forwards(apps, schema_editor):
    emails = apps.get_model("outbox", "OutgoingEmail").objects.all()
    rewrite_stored_texts(emails, "last_error", encoded(failure))
    rewrite_stored_texts(apps.get_model("outbox", "EmailEvent").objects.all(), "detail", encoded(event_detail))


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_json_bulk_placeholders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
