"""Rewrite the French texts stored before messages (core.stored_text) as messages, for the wordings this code knew:
orders' reasons, sync runs' lines, connections' statuses. A text matching none of them stays as it is (and is shown
as it is). The wordings and the encoding are written out here, as they were, so later code changes leave this
migration alone."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

from facturier.core.stored_text import rewrite_stored_texts

PARIS = ZoneInfo("Europe/Paris")
ENCODED = ('{"msgid": ', '{"join": ')


def msg(msgid, **params):
    return {"msgid": msgid, "params": params}


def moment(text):
    """'05/10/2026 à 10:15' (Paris time) as the moment it was."""
    local = datetime.strptime(text, "%d/%m/%Y à %H:%M").replace(tzinfo=PARIS)
    return {"moment": local.isoformat(), "seconds": False}


def word_or(value, unknown):
    return msg(unknown) if value == unknown else value


REASONS_EXACT = {
    text: msg(text)
    for text in (
        "Date de commande absente.",
        "Toutes les lignes ont été annulées avant expédition.",
        "Devise de la commande absente : cette commande ne peut pas être facturée automatiquement.",
        "Montant invraisemblable sur une ligne (au-delà de ce qu'une facture peut porter).",
    )
}
REASONS = [
    (re.compile(r"Livrée hors de France \((?P<country>[^()]*)\)\."),
     lambda m: msg("Livrée hors de France (%(country)s).", country=word_or(m["country"], "pays inconnu"))),
    (re.compile(r"Pas encore expédiée \(statut (?P<status>.*)\)\."),
     lambda m: msg("Pas encore expédiée (statut %(status)s).", status=word_or(m["status"], "inconnu"))),
    (re.compile(r"Commande au statut (?P<status>.*) sur la marketplace\."),
     lambda m: msg("Commande au statut %(status)s sur la marketplace.", status=m["status"])),
    (re.compile(r"Passée le (?P<placed>\d\d/\d\d/\d{4} à \d\d:\d\d), avant le début de la reprise "
                r"\((?P<start>\d\d/\d\d/\d{4} à \d\d:\d\d)\)\."),
     lambda m: msg("Passée le %(placed)s, avant le début de la reprise (%(start)s).", placed=moment(m["placed"]),
                   start=moment(m["start"]))),
    (re.compile(r"Commande en (?P<currency>.+) : seules les commandes en euros \(EUR\) sont facturées "
                r"automatiquement ; cette commande ne peut pas être facturée automatiquement\."),
     lambda m: msg("Commande en %(currency)s : seules les commandes en euros (EUR) sont facturées automatiquement ; "
                   "cette commande ne peut pas être facturée automatiquement.", currency=m["currency"])),
    (re.compile(r"Vendue sur le canal (?P<channel>.+) : seules les commandes Cdiscount sont facturées\. Pour facturer "
                r"ce canal, ajoutez « (?P<id>.+) » à « Autres canaux de vente à facturer » dans Réglages\."),
     # Every order stored before named Cdiscount, the only marketplace then.
     lambda m: msg("Vendue sur le canal %(channel)s : seules les commandes passées sur %(marketplace)s même sont "
                   "facturées. Pour facturer ce canal, ajoutez « %(id)s » à « Autres canaux de vente à facturer » "
                   "dans Réglages.", channel=m["channel"], marketplace="Cdiscount", id=m["id"])),
    (re.compile(r"La facture n'a pas pu être établie : erreur interne « (?P<error>.*) »\. Elle sera tentée à nouveau "
                r"dès que la marketplace enverra d'autres données pour cette commande\.", re.DOTALL),
     lambda m: msg("La facture n'a pas pu être établie : erreur interne « %(error)s ». Elle sera tentée à nouveau dès "
                   "que la marketplace enverra d'autres données pour cette commande.", error=m["error"])),
]  # fmt: skip

INTERRUPTED = (
    "Interrompue : le traitement s'est arrêté sans se terminer (processus arrêté ou perdu). "
    "Une nouvelle synchronisation reprend là où elle en était."
)
REFUSED = "Identifiants refusés par la marketplace : %(detail)s"
UNAVAILABLE = "Marketplace indisponible, reprise au prochain passage : %(detail)s"
RUN_LINES_EXACT = {
    INTERRUPTED: msg(INTERRUPTED),
    "Aucune connexion marketplace active : enregistrez ou corrigez vos identifiants.": msg(
        "Aucune connexion marketplace active : enregistrez ou corrigez vos identifiants."
    ),
}
PROBLEMS = [
    (re.compile(r"Identifiants refusés par la marketplace : (?P<detail>.*)"), lambda m: msg(REFUSED, detail=m["detail"])),
    (re.compile(r"Marketplace indisponible, reprise au prochain passage : (?P<detail>.*)"),
     lambda m: msg(UNAVAILABLE, detail=m["detail"])),
]  # fmt: skip

TESTS = [
    (re.compile(r"Connexion à (?P<marketplace>.+) réussie\."),
     lambda m: msg("Connexion à %(marketplace)s réussie.", marketplace=m["marketplace"])),
    (re.compile(r"Connexion à (?P<marketplace>.+) réussie : (?P<count>\d+) commandes visibles\."),
     # One wording for any count since (no plural form in a stored message).
     lambda m: msg("Connexion à %(marketplace)s réussie (commandes visibles : %(count)s).",
                   marketplace=m["marketplace"], count=int(m["count"]))),
    (re.compile(r"(?P<marketplace>.+) refuse ces identifiants d'API\. Vérifiez-les dans votre espace vendeur, puis "
                r"enregistrez-les à nouveau\."),
     lambda m: msg("%(marketplace)s refuse ces identifiants d'API. Vérifiez-les dans votre espace vendeur, puis "
                   "enregistrez-les à nouveau.", marketplace=m["marketplace"])),
    (re.compile(r"(?P<marketplace>.+) accepte ces identifiants mais pas pour ce compte vendeur : vérifiez "
                r"l'identifiant du compte et qu'il est bien relié à ces identifiants d'API\."),
     lambda m: msg("%(marketplace)s accepte ces identifiants mais pas pour ce compte vendeur : vérifiez l'identifiant "
                   "du compte et qu'il est bien relié à ces identifiants d'API.", marketplace=m["marketplace"])),
    (re.compile(r"(?P<marketplace>.+) ne répond pas pour le moment\. Réessayez dans quelques minutes\."),
     lambda m: msg("%(marketplace)s ne répond pas pour le moment. Réessayez dans quelques minutes.",
                   marketplace=m["marketplace"])),
]  # fmt: skip


def encoded(message) -> str:
    return json.dumps(message, ensure_ascii=False)


def matched(text, exact, patterns):
    if text in exact:
        return exact[text]
    for pattern, build in patterns:
        found = pattern.fullmatch(text)
        if found:
            return build(found)
    return None


def reason_message(text):
    message = matched(text, REASONS_EXACT, REASONS)
    return encoded(message) if message else None


def run_line(line):
    if line.startswith(ENCODED):
        return line
    message = matched(line, RUN_LINES_EXACT, PROBLEMS)
    if message is None:
        # "Cdiscount 98979 : Identifiants refusés…": one connection's failure among several.
        named = re.fullmatch(r"(?P<connection>[^:]+?) : (?P<problem>.*)", line)
        problem = named and matched(named["problem"], {}, PROBLEMS)
        if problem:
            message = msg("%(connection)s : %(problem)s", connection=named["connection"], problem=problem)
    return encoded(message) if message else line


def run_message(text):
    lines = text.split("\n")
    # A run closed after a crash: the interrupted sentence, then the error, quoted.
    converted = "\n".join(run_line(line) for line in lines)
    return converted if converted != text else None


def status_message(text, status):
    message = matched(text, {}, TESTS)
    if message is None and status == "credentials_rejected":
        message = msg(REFUSED, detail=text)  # written by a sync: the marketplace's own words
    elif message is None and status == "unavailable":
        message = msg(UNAVAILABLE, detail=text)
    return encoded(message) if message else None


def forwards(apps, schema_editor):
    rewrite_stored_texts(apps.get_model("sales", "SalesOrder").objects.all(), "reason", reason_message)
    rewrite_stored_texts(apps.get_model("sales", "SyncRun").objects.all(), "message", run_message)
    connections = apps.get_model("accounts", "MarketplaceConnection").objects.all()
    rewrite_stored_texts(connections, "status_message", status_message, "status")


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0012_other_channel_label"),
        ("accounts", "0007_user_terms_acceptance"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
