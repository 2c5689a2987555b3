"""Django's SMTP backend with smtplib's DATA command minus its regular expression.

smtplib doubles a period that starts a line (RFC 5321 §4.5.2) with `re.sub(rb'(?m)^\\.', b'..', message)`, which
steps through every byte of the message: 0.44 ms for a 75 KB invoice email carrying its PDF, a third of the time
spent building it. One `bytes.replace` gives the same bytes in 0.07 ms. Everything else is smtplib's and Django's own.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp


def quote_periods(message: bytes) -> bytes:
    """smtplib._quote_periods: a period at the start of the message or after a line feed is doubled."""
    quoted = message.replace(b"\n.", b"\n..")
    return b"." + quoted if quoted.startswith(b".") else quoted


class QuotingWithoutRegex:
    def data(self, msg):
        """smtplib.SMTP.data, with quote_periods in place of smtplib._quote_periods (a test watches the original)."""
        self.putcmd("data")
        code, reply = self.getreply()
        if self.debuglevel > 0:
            self._print_debug("data:", (code, reply))
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        payload = quote_periods(msg)
        if payload[-2:] != smtplib.bCRLF:
            payload += smtplib.bCRLF
        self.send(payload + b"." + smtplib.bCRLF)
        code, reply = self.getreply()
        if self.debuglevel > 0:
            self._print_debug("data:", (code, reply))
        return code, reply


class SMTP(QuotingWithoutRegex, smtplib.SMTP):
    pass


class SMTP_SSL(QuotingWithoutRegex, smtplib.SMTP_SSL):  # noqa: N801 - named after smtplib's class
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP
