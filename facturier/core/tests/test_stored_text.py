"""A stored text keeps its messages as msgid + parameters, read back whole; anything else is shown as stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from facturier.core.stored_text import Joined, Message, Moment, message, read, render, stored, stored_lines

SHIPPED = datetime(2026, 3, 1, 23, 30, 5, tzinfo=UTC)  # 2 March 2026 at 00:30:05 in Paris


def test_a_message_with_every_kind_of_parameter_reads_back_equal_and_renders_in_each_language():
    reason = message(
        gettext_noop("Date invraisemblable envoyée par la marketplace : %(dates)s, dans le futur. "
                     "La commande sera relue aux prochaines synchronisations."),
        dates=Joined((message(gettext_noop("%(what)s %(moment)s"), what=message(gettext_noop("expédition")),
                              moment=Moment(SHIPPED, seconds=True)), "12 « lignes »"), ", "),
    )  # fmt: skip
    text = reason.stored()

    assert "\n" not in text and read(text) == reason
    with translation.override("fr"):
        assert render(text) == (
            "Date invraisemblable envoyée par la marketplace : expédition 2 mars 2026 à 00:30:05, 12 « lignes », "
            "dans le futur. La commande sera relue aux prochaines synchronisations."
        )
    with translation.override("en"):
        assert render(text) == (
            "Implausible date sent by the marketplace: shipping 2 March 2026, 00:30:05, 12 « lignes », in the "
            "future. The order will be read again at the next syncs."
        )


def test_lines_of_messages_and_of_plain_text_are_rendered_one_by_one():
    lines = [message(gettext_noop("%(item)s : %(detail)s"), item="A1", detail="boom"), "Ligne écrite avant"]

    with translation.override("en"):
        assert render(stored_lines(lines)) == "A1: boom\nLigne écrite avant"


@pytest.mark.parametrize(
    "legacy",
    [
        "Passée le 05/10/2026 à 10:15, avant le début de la reprise.",
        '{"msgid": "pas du JSON',
        '{"msgid": "x", "params": {"a": {"inconnu": 1}}}',
        '{"join": "not a list", "separator": " "}',
        "",
    ],
)
def test_text_that_is_not_a_readable_message_is_shown_as_it_is(legacy):
    assert read(legacy) == legacy
    assert render(legacy) == legacy


def test_a_message_whose_parameters_do_not_fit_is_shown_as_its_source_never_an_error():
    assert str(Message("%(detail)s et %(autre)s", {"detail": "x"})) == "%(detail)s et %(autre)s"
    with translation.override("en"):
        assert str(Message("Livrée hors de France (%(country)s).", {"country": "DE"})) == (
            "Delivered outside France (DE)."
        )


def test_a_parameter_of_another_type_is_refused_when_stored():
    with pytest.raises(TypeError):
        message(gettext_noop("%(item)s : %(detail)s"), item=1.5, detail="x").stored()
    assert stored("texte") == "texte"
