"""Keep the bot token (and the database password) out of every log line.

Bot API URLs contain the token, and several libraries put URLs or the token itself into messages
(httpx logs each request URL at INFO; python-telegram-bot's InvalidToken and its debug log quote it).
Two layers: the chatty loggers are set to WARNING before anything logs, and a filter on every root
handler replaces the token in the message, its arguments and any traceback text.
"""

from __future__ import annotations

import logging

REDACTED = "<TELEGRAM_BOT_TOKEN>"
REDACTED_PASSWORD = "***"
QUIET_LOGGERS = ("httpx", "httpcore")


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears in a record, before any handler formats it."""

    def __init__(self, token: str, *, password: str | None = None) -> None:
        super().__init__()
        self._token = token
        # The secret half alone identifies the bot too, and shows up in URL-quoted forms.
        self._secrets = (token, token.partition(":")[2])
        self._password = password  # SANAD_DATABASE_URL's

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        if self._password:
            text = text.replace(self._password, REDACTED_PASSWORD)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def protect_logs(
    token: str, *, password: str | None = None, logger: logging.Logger | None = None
) -> RedactToken:
    """Quiet the URL-logging libraries and redact `token` (and the database `password`) on every handler
    of `logger` (default: root).

    Call it after logging is configured and before the bot makes its first request.
    """
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = RedactToken(token, password=password)
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(redactor)
    return redactor
