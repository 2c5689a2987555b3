"""The SMTP backend's DATA command: the same bytes on the wire as smtplib's, period-doubling included."""

from __future__ import annotations

import ast
import inspect
import smtplib
import textwrap

from django.core.mail import EmailMessage, get_connection
from hypothesis import given
from hypothesis import strategies as st

from config.settings.base import email_config
from facturier.outbox.smtp import EmailBackend, quote_periods
from facturier.outbox.tests.fixtures import smtp_server  # noqa: F401 - pytest fixture

# smtplib.SMTP.data as outbox.smtp.QuotingWithoutRegex.data copies it (docstring left out). If a Python release
# changes it, this test fails: bring the copy in line, then this text.
STDLIB_DATA = """
def data(self, msg):
    self.putcmd('data')
    code, repl = self.getreply()
    if self.debuglevel > 0:
        self._print_debug('data:', (code, repl))
    if code != 354:
        raise SMTPDataError(code, repl)
    else:
        if isinstance(msg, str):
            msg = _fix_eols(msg).encode('ascii')
        q = _quote_periods(msg)
        if q[-2:] != bCRLF:
            q = q + bCRLF
        q = q + b'.' + bCRLF
        self.send(q)
        code, msg = self.getreply()
        if self.debuglevel > 0:
            self._print_debug('data:', (code, msg))
        return (code, msg)
"""

# Bytes made of what matters to the quoting (periods, both line ends) and something else.
MESSAGES = st.lists(st.sampled_from([b".", b"\n", b"\r", b"\r\n", b"a", b".."]), max_size=40).map(b"".join)


@given(MESSAGES)
def test_quoting_gives_the_bytes_of_smtplib(message):
    assert quote_periods(message) == smtplib._quote_periods(message)


def test_the_copied_data_command_is_still_the_one_of_this_pythons_smtplib():
    function = ast.parse(textwrap.dedent(inspect.getsource(smtplib.SMTP.data))).body[0]
    function.body = function.body[1:]  # the docstring
    assert ast.unparse(function) == STDLIB_DATA.strip()


def test_quoting_doubles_a_period_at_the_start_of_the_message_and_of_each_line_only():
    assert quote_periods(b".a\r\n.b\r\nc.d\r\n..e\r\n.\r\n") == b"..a\r\n..b\r\nc.d\r\n...e\r\n..\r\n"
    assert quote_periods(b"a\r.b") == b"a\r.b"  # a lone CR does not end a line for smtplib either
    assert quote_periods(b"") == b""


def test_smtp_urls_select_this_backend():
    assert email_config("smtp://mail.example:25")["EMAIL_BACKEND"] == "facturier.outbox.smtp.EmailBackend"
    assert email_config("submission://mail.example:587")["EMAIL_BACKEND"] == "facturier.outbox.smtp.EmailBackend"
    assert isinstance(get_connection("facturier.outbox.smtp.EmailBackend"), EmailBackend)


def test_lines_starting_with_a_period_arrive_as_written(smtp_server):  # noqa: F811 - the fixture
    body = "Bonjour,\n.ligne qui commence par un point\n..et par deux\n.\nLa suite après un point seul.\n"
    attachment = b".\r\n" * 100 + b"%PDF-1.7\n.%%EOF\n"

    message = EmailMessage("Facture", body, "factures@facturier.example", ["zoe.martin@example.org"])
    message.attach("facture.pdf", attachment, "application/pdf")
    assert message.send() == 1

    [received] = smtp_server.received
    text, pdf = received.message.iter_parts()
    assert text.get_content().splitlines() == body.splitlines()
    assert pdf.get_content() == attachment
