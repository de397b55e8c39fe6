"""Inline keyboards and their callback data.

Callback data comes back from the client when a button is pressed, and a modified client can send any
64 bytes. So the data carries no content, only what to show and a random key into the chat's memory
(bot/memory.py); forged or stale data finds nothing there and gets a short notice.

    a:<key>  the answer    c:<key>  more context    o:<key>  other matches
    v:u:<key>  👍 (it answered)    v:d:<key>  👎 (it did not)
    x:<language>:<n>  example question n of the welcome message in that language

The chat's own library (bot/articles.py). These need no memory, so they still work after a restart:

    add          add the message the bot's offer replies to (Telegram sends that message along)
    rm:<id>      ask to remove article <id> of this chat    rmok:<id>  remove it
    clrok        remove all of this chat's articles         keep       cancel: show the list again
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import TEXTS, Language, Texts
from bot.lookup import Lookup
from index import Document

View = Literal["answer", "context", "others"]

_CODES: dict[View, str] = {"answer": "a", "context": "c", "others": "o"}
_VIEWS: dict[str, View] = {code: view for view, code in _CODES.items()}
_VIEW_DATA = re.compile(r"([aco]):([A-Za-z0-9_-]{8})")
_VOTE_DATA = re.compile(r"v:([ud]):([A-Za-z0-9_-]{8})")
VOTES = {"u": ("👍", 1), "d": ("👎", -1)}
_EXAMPLE_DATA = re.compile(rf"x:({'|'.join(TEXTS)}):([0-9]{{1,2}})")
ARTICLE_DATA = re.compile(r"add|keep|clrok|(rm|rmok):([0-9]{1,18})")
REMOVE_BUTTONS = 50  # per /sources message; /remove N reaches the rest
REMOVE_BUTTONS_PER_ROW = 5

ArticleAction = Literal["add", "ask_remove", "remove", "clear", "keep"]
_ARTICLE_CODES: dict[str, ArticleAction] = {
    "add": "add",
    "rm": "ask_remove",
    "rmok": "remove",
    "clrok": "clear",
    "keep": "keep",
}


@dataclass(frozen=True, slots=True)
class ViewPress:
    """A press on "More context", "Other matches" or "Back to answer"."""

    view: View
    key: str


@dataclass(frozen=True, slots=True)
class VotePress:
    """A press on 👍 (`vote` 1) or 👎 (-1) under an answer."""

    vote: int
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


@dataclass(frozen=True, slots=True)
class ArticlePress:
    """A press on a button that changes the chat's library (`document_id` for the removal ones)."""

    action: ArticleAction
    document_id: int | None = None


def parse_article_callback(data: str | None) -> ArticlePress | None:
    """What a library button asks for, or None for data this bot never puts on one."""
    match = ARTICLE_DATA.fullmatch(data or "")
    if match is None:
        return None
    if match[1]:
        return ArticlePress(_ARTICLE_CODES[match[1]], int(match[2]))
    return ArticlePress(_ARTICLE_CODES[match[0]])


def add_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.add_button, callback_data="add")]])


def sources_keyboard(documents: Sequence[Document], texts: Texts) -> InlineKeyboardMarkup | None:
    """A remove button per article of the chat, numbered as the list numbers them."""
    buttons = [
        InlineKeyboardButton(texts.remove_button.format(number=number), callback_data=f"rm:{document.id}")
        for number, document in enumerate(documents[:REMOVE_BUTTONS], start=1)
    ]
    rows = [buttons[i : i + REMOVE_BUTTONS_PER_ROW] for i in range(0, len(buttons), REMOVE_BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows) if rows else None


def confirm_keyboard(yes: str, data: str, texts: Texts) -> InlineKeyboardMarkup:
    """ "Yes, remove" beside "Cancel"."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=data),
                InlineKeyboardButton(texts.cancel, callback_data="keep"),
            ]
        ]
    )


def parse_callback(data: str | None) -> ViewPress | VotePress | ExamplePress | None:
    """What a button press asks for, or None for data this bot never puts on a button."""
    if data is None:
        return None
    if match := _VIEW_DATA.fullmatch(data):
        return ViewPress(_VIEWS[match[1]], match[2])
    if match := _VOTE_DATA.fullmatch(data):
        return VotePress(VOTES[match[1]][1], match[2])
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
    """Buttons for the other views of the answer shown as `view` ("Back to answer" first), and 👍 / 👎
    under an answer that quotes."""
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
    rows = [buttons] if buttons else []
    if lookup.quotes:
        rows.append(
            [
                InlineKeyboardButton(label, callback_data=f"v:{code}:{key}")
                for code, (label, _) in VOTES.items()
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def examples_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    """One button per example question, each on its own row (they are long)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(text, callback_data=f"x:{texts.language}:{n}")]
            for n, text in enumerate(texts.examples)
        ]
    )
