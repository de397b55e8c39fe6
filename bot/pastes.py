"""Long pastes stay one article: Telegram cuts pasted text longer than a message (4,096 characters)
into several messages, sent one right after another. The parts one user sends in one chat within a
few seconds, each but the last cut near the limit, are joined into one article offer (bot/articles.py
edits the first offer instead of making another).

Forwarded channel posts in a row are one story the same way: posts of one channel that follow each
other there (consecutive post ids), forwarded by one user together. Posts of different channels, or
of one channel with others between them, stay separate offers.

Kept in memory only: a restart between two parts makes two offers.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from telegram import Message

MESSAGE_LIMIT = 4096  # characters in one Telegram message: a longer paste arrives cut into parts
NEAR_LIMIT = 3500  # a part at least this long may have been cut (clients cut at a space before the limit)
WINDOW = 1.5  # seconds from one part to the next (clients send them at once; no one types that fast)

Key = tuple[int, int]  # (chat id, user id)


@dataclass
class Paste:
    """The parts of one paste so far, by message id, and the offer that shows them."""

    offer_id: int | None = None
    parts: dict[int, str] = field(default_factory=dict)
    last: float = 0.0
    post: tuple[int, int] | None = None  # the last forwarded part's (channel id, post id)

    def text(self) -> str:
        """The parts joined in the order they were sent: a new paragraph where a part ends a sentence
        and the next starts one, else a space (the cut fell inside a paragraph)."""
        joined = ""
        for _, part in sorted(self.parts.items()):
            if joined:
                ends = joined.rstrip()[-1:] in ".!?؟…\"'»”)"
                joined = joined.rstrip() + ("\n\n" if ends else " ") + part.lstrip()
            else:
                joined = part
        return joined


class Pastes:
    """The pastes being received, per chat and user."""

    def __init__(self, window: float = WINDOW) -> None:
        self.window = window
        self._open: dict[Key, Paste] = {}
        self._locks: dict[Key, asyncio.Lock] = {}

    @staticmethod
    def key(message: Message) -> Key | None:
        user = message.from_user
        return None if user is None else (message.chat.id, user.id)

    def lock(self, key: Key) -> asyncio.Lock:
        """Held while one part is handled, so that parts handled side by side join in order."""
        return self._locks.setdefault(key, asyncio.Lock())

    def continuing(self, message: Message) -> Paste | None:
        """The paste `message` continues: the same user's previous part came moments ago and was cut
        near the limit (the last part of a paste may be short)."""
        key = self.key(message)
        paste = self._open.get(key) if key else None
        if paste is None or time.monotonic() - paste.last > self.window:
            return None
        post = channel_post(message)
        if post is not None or paste.post is not None:  # forwards: the next post of the same channel
            follows = (
                post is not None and paste.post is not None and post == (paste.post[0], paste.post[1] + 1)
            )
            return paste if follows else None
        earlier = [text for number, text in sorted(paste.parts.items()) if number < message.message_id]
        return paste if earlier and NEAR_LIMIT <= len(earlier[-1]) <= MESSAGE_LIMIT else None

    def add(self, message: Message, paste: Paste | None = None) -> Paste:
        """Record `message` as a part of `paste` (a new paste when None)."""
        key = self.key(message)
        assert key is not None
        if paste is None:
            paste = self._open[key] = Paste()
        paste.parts[message.message_id] = message.text or ""
        paste.last = time.monotonic()
        paste.post = channel_post(message)
        for stale in [k for k, p in self._open.items() if time.monotonic() - p.last > 10 * self.window]:
            self._open.pop(stale, None)  # its lock stays: a handler may still hold it
        return paste


def channel_post(message: Message) -> tuple[int, int] | None:
    """(channel id, post id) of a forwarded channel post; None for anything else."""
    origin = message.forward_origin
    chat = getattr(origin, "chat", None)
    post_id = getattr(origin, "message_id", None)
    return None if chat is None or post_id is None else (chat.id, int(post_id))
