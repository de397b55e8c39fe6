"""What the bot remembers about its recent answers in one chat, so buttons and edited questions work.

It lives in `context.chat_data`, in memory only and bounded: the oldest answers fall out, and after a
restart every old button is stale. Buttons then get a short "expired" notice instead of an answer,
which is also what forged callback data gets (see bot/keyboards.py).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import Language
from bot.lookup import Lookup

CAPACITY = 64  # answers remembered per chat
KEY_BYTES = 6  # random bytes in a key: 8 characters of callback data, unguessable


@dataclass(frozen=True, slots=True)
class Shown:
    """An answer the bot sent: what it found, in which language, and the messages that show it."""

    lookup: Lookup
    language: Language
    message_ids: tuple[int, ...]  # the last one carries the buttons


class ChatMemory:
    """The last `capacity` answers of a chat, by random key and by the question's message id."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._answers: OrderedDict[str, Shown] = OrderedDict()
        self._by_question: OrderedDict[int, str] = OrderedDict()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(KEY_BYTES)

    def remember(self, key: str, shown: Shown, *, question_id: int | None) -> None:
        self._answers[key] = shown
        self._answers.move_to_end(key)
        if question_id is not None:
            self._by_question[question_id] = key
            self._by_question.move_to_end(question_id)
        while len(self._answers) > self.capacity:
            self._answers.popitem(last=False)
        while len(self._by_question) > self.capacity:
            self._by_question.popitem(last=False)

    def recall(self, key: str) -> Shown | None:
        return self._answers.get(key)

    def answer_to(self, question_id: int) -> tuple[str, Shown] | None:
        """The key and answer of the question in message `question_id`, if still remembered."""
        key = self._by_question.get(question_id)
        shown = None if key is None else self._answers.get(key)
        return None if key is None or shown is None else (key, shown)


def memory_of(chat_data: MutableMapping[Any, Any] | None) -> ChatMemory:
    """The memory kept in a chat's `context.chat_data` (a throwaway one where there is no chat)."""
    if chat_data is None:
        return ChatMemory()
    memory = chat_data.setdefault("answers", ChatMemory())
    assert isinstance(memory, ChatMemory)
    return memory
