"""Secrets never reach a log line: every configured secret is masked in every record, whoever logged it.

Libraries log what they see (PTB names a rejected token in its error, httpx
logs request URLs with the token in the path), so masking at the source is not
enough; this filter sits on the log handlers and rewrites any record, message,
arguments and traceback alike, before it is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

MASK = "********"
SHORTEST_SECRET = 6  # shorter values would mask ordinary words; no real token or key is this short


class SecretFilter(logging.Filter):
    """Replaces each secret (longest first, so one inside another is masked whole) with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= SHORTEST_SECRET}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


def install(secrets: Iterable[str], logger: logging.Logger | None = None) -> SecretFilter:
    """Put the filter on every handler of `logger` (the root by default), where all records end up."""
    target = logger or logging.getLogger()
    found = SecretFilter(secrets)
    for handler in target.handlers:
        handler.addFilter(found)
    return found
