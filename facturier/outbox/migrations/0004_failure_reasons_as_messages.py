"""Rewrite the French failure reasons stored before messages (core.stored_text) as messages, the server's words
quoted, for the wordings this code knew (e-mails' last error and their history); any other text stays as it is.
The wordings and the encoding are written out here, as they were, so later code changes leave this migration alone."""

import json
import re

from django.db import migrations

BATCH = 1000
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


def rewrite(model, field, convert):
    changed = []
    rows = model.objects.exclude(**{f"{field}__startswith": '{"'}).exclude(**{field: ""})
    for row in rows.only("pk", field).iterator(chunk_size=BATCH):
        message = convert(getattr(row, field))
        if message is not None:
            setattr(row, field, json.dumps(message, ensure_ascii=False))
            changed.append(row)
        if len(changed) == BATCH:
            model.objects.bulk_update(changed, [field])
            changed = []
    if changed:
        model.objects.bulk_update(changed, [field])


def forwards(apps, schema_editor):
    rewrite(apps.get_model("outbox", "OutgoingEmail"), "last_error", failure)
    rewrite(apps.get_model("outbox", "EmailEvent"), "detail", event_detail)


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_json_bulk_placeholders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
