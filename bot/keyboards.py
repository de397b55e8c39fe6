"""Inline keyboards and their callback data.

Callback data comes back from the client when a button is pressed, and a modified client can send any
64 bytes. So the data carries no content, only what to show and a random key into the chat's memory
(bot/memory.py); forged or stale data finds nothing there and gets a short notice.

    a:<key>  the answer    c:<key>  more context    o:<key>  other matches
    x:<language>:<n>  example question n of the welcome message in that language
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import TEXTS, Language, Texts
from bot.lookup import Lookup

View = Literal["answer", "context", "others"]

_CODES: dict[View, str] = {"answer": "a", "context": "c", "others": "o"}
_VIEWS: dict[str, View] = {code: view for view, code in _CODES.items()}
_VIEW_DATA = re.compile(r"([aco]):([A-Za-z0-9_-]{8})")
_EXAMPLE_DATA = re.compile(rf"x:({'|'.join(TEXTS)}):([0-9]{{1,2}})")


@dataclass(frozen=True, slots=True)
class ViewPress:
    """A press on "More context", "Other matches" or "Back to answer"."""

    view: View
    key: str


@dataclass(frozen=True, slots=True)
class ExamplePress:
    """A press on one of the example questions under the welcome message."""

    language: Language
    number: int

    @property
    def question(self) -> str | None:
        """The example's text, or None for a number that no example has."""
        examples = TEXTS[self.language].examples
        return examples[self.number] if self.number < len(examples) else None


def parse_callback(data: str | None) -> ViewPress | ExamplePress | None:
    """What a button press asks for, or None for data this bot never puts on a button."""
    if data is None:
        return None
    if match := _VIEW_DATA.fullmatch(data):
        return ViewPress(_VIEWS[match[1]], match[2])
    if match := _EXAMPLE_DATA.fullmatch(data):
        return ExamplePress(cast(Language, match[1]), int(match[2]))
    return None


def views_of(lookup: Lookup) -> list[View]:
    """The views an answer has: none without quotes; context only where the best quote has neighbours."""
    if not lookup.quotes:
        return []
    views: list[View] = ["answer"]
    if len(lookup.quotes[0].context) > 1:
        views.append("context")
    if lookup.others:
        views.append("others")
    return views


def answer_keyboard(view: View, key: str, lookup: Lookup, texts: Texts) -> InlineKeyboardMarkup | None:
    """Buttons for the other views of the answer shown as `view` ("Back to answer" first)."""
    labels: dict[View, str] = {
        "answer": texts.back,
        "context": texts.more_context,
        "others": texts.other_matches,
    }
    buttons = [
        InlineKeyboardButton(labels[other], callback_data=f"{_CODES[other]}:{key}")
        for other in views_of(lookup)
        if other != view
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None


def examples_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    """One button per example question, each on its own row (they are long)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(text, callback_data=f"x:{texts.language}:{n}")]
            for n, text in enumerate(texts.examples)
        ]
    )
