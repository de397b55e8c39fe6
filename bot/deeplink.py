"""Questions in t.me links: https://t.me/<bot>?start=ask_<question in base64url>.

Telegram passes the start parameter (at most 64 characters of A-Z, a-z, 0-9, _ and -) to the bot as
"/start <payload>". A question is UTF-8, base64url-encoded without padding, after "ask_"; a bare
base64url question is accepted too. Anything else is not a question.
"""

from __future__ import annotations

import base64
import binascii
import re

PREFIX = "ask_"
MAX_PAYLOAD = 64
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_payload(question: str) -> str | None:
    """The start parameter that asks `question`, or None when it would be longer than Telegram allows."""
    encoded = base64.urlsafe_b64encode(question.strip().encode()).decode().rstrip("=")
    payload = PREFIX + encoded
    return payload if encoded and len(payload) <= MAX_PAYLOAD else None


def question_from_payload(payload: str) -> str | None:
    """The question a start parameter carries, or None (for "help", say, or garbage)."""
    if not _PAYLOAD.fullmatch(payload):
        return None
    encoded = payload.removeprefix(PREFIX)
    try:
        question = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    if not any(char.isalpha() for char in question) or not question.isprintable():
        return None
    return question.strip()
