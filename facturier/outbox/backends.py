"""EmlFileBackend: one .eml file per message, for the embedded default (EMAIL_URL=eml:///path)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._@+-]")


class EmlFileBackend(BaseEmailBackend):
    """Writes `<UTC timestamp>-<message-id>.eml` files, each atomically (temporary file, fsync, rename)."""

    def __init__(self, *, file_path: str | os.PathLike | None = None, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        path = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        if not path:
            raise ImproperlyConfigured("EmlFileBackend needs EMAIL_FILE_PATH (EMAIL_URL=eml:///path)")
        self.directory = Path(path)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        written = 0
        for message in email_messages:
            try:
                self.write(message)
            except Exception:
                if not self.fail_silently:
                    raise
            else:
                written += 1
        return written

    def write(self, message: EmailMessage) -> Path:
        mime = message.message()
        message_id = UNSAFE_FILENAME_CHARS.sub("_", str(mime["Message-ID"]).strip("<> "))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.directory / f"{stamp}-{message_id}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as output:
                output.write(mime.as_bytes(linesep="\r\n"))
                output.flush()
                os.fsync(output.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target
