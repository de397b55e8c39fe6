"""What a message holds as an article: a link, text (pasted or forwarded), a file or a photo.

The handlers (bot/articles.py, bot/watch.py) decide what to do with it; this module only reads the
message. A link is a message that is one address and nothing else ("www.…" and, where a message was
pointed at with /add, a bare "example.com/story"); text that is long enough, forwarded, or the next
part of a long paste (bot/pastes.py) is an article rather than a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Document, Message, PhotoSize
from telegram.ext import filters

from bot.addressing import without_mention_keeping_lines
from bot.lookup import visible_length
from bot.pastes import Pastes
from bot.render import shorten
from index.ingest import file_label

LABEL_LIMIT = 60  # characters of a link, file name or text naming an interrupted add
PHOTO_NAME = "photo.jpg"  # Telegram sends photos as JPEG; the name picks the reader (OCR)
_LINK = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    url: str


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    origin: str | None  # who it was forwarded from, when it was


@dataclass(frozen=True, slots=True)
class File:
    document: Document


@dataclass(frozen=True, slots=True)
class Photo:
    photo: PhotoSize  # the largest size Telegram has of it


Source = Link | Text | File | Photo


def label_of(source: Source) -> str:
    """How an interrupted add names its article: the link, the file name, or the text's beginning."""
    if isinstance(source, Link):
        name = source.url
    elif isinstance(source, File):
        name = file_label(source.document.file_name or "the file")
    elif isinstance(source, Photo):
        name = PHOTO_NAME
    else:
        name = " ".join(source.text.split())
    return f"“{shorten(name, LABEL_LIMIT)}”"


def source_of(message: Message, username: str) -> Source | None:
    """The article a message that was pointed at holds: its file, its photo (read by OCR), its link (a
    bare "example.com/story" too), or its text (without the bot's @mention)."""
    if message.document is not None:
        return File(message.document)
    if message.photo:
        return Photo(max(message.photo, key=lambda size: size.width * size.height))
    text = without_mention_keeping_lines(message.text or message.caption or "", username)
    if not text:
        return None
    source = source_of_text(text, bare_domains=True)
    if isinstance(source, Text):
        return Text(source.text, origin_of(message))
    return source


def source_of_text(text: str, *, bare_domains: bool = False) -> Source:
    """A link when the text is one ("https://…", "www.…"; "example.com/story" only with `bare_domains`,
    as a message on its own could as well be a word with a dot), else article text."""
    text = text.strip()
    if _LINK.fullmatch(text):
        return Link(text if "://" in text else f"https://{text}")
    if bare_domains and _BARE_DOMAIN.fullmatch(text):
        return Link(f"https://{text}")
    return Text(text, None)


def origin_of(message: Message) -> str | None:
    """Where a forwarded message came from, as a name: the channel, chat or person."""
    origin = message.forward_origin
    if origin is None:
        return None
    for attribute in ("chat", "sender_chat"):
        if (chat := getattr(origin, attribute, None)) is not None and chat.title:
            return str(chat.title)
    if (user := getattr(origin, "sender_user", None)) is not None:
        return str(user.full_name)
    return getattr(origin, "sender_user_name", None)


class JustALink(filters.MessageFilter):
    """A message whose text (the bot's @mention aside) is one link and nothing else."""

    def filter(self, message: Message) -> bool:
        text = without_mention_keeping_lines(message.text or "", message.get_bot().username)
        return isinstance(source_of_text(text), Link) if text and " " not in text else False


class ArticleLike(filters.MessageFilter):
    """Text that is an article rather than a question: forwarded, at least `min_chars` visible
    characters long (zero-width and direction marks do not count: a wall of them is no article), or
    the next part of a long paste (bot/pastes.py), however short."""

    def __init__(self, min_chars: int, pastes: Pastes | None = None) -> None:
        super().__init__(name=f"ArticleLike({min_chars})")
        self.min_chars = min_chars
        self.pastes = pastes

    def filter(self, message: Message) -> bool:
        text = (message.text or "").strip()
        if not any(char.isalnum() for char in text):
            return False  # nothing to read: it is refused as a question instead
        if self.pastes is not None and self.pastes.continuing(message) is not None:
            return True
        return message.forward_origin is not None or visible_length(text) >= self.min_chars


JUST_A_LINK = JustALink(name="JustALink")
