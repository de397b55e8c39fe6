"""Watching a channel or group: every article posted there goes into that chat's library by itself.

    /watch on | off      (admins; in a channel, any post by the channel is an admin's)
    /watch               says whether the chat is watched

Where the bot can read the posts (a channel it administers, or a group where it is an admin), each
post of a watched chat is read for articles: its links (up to `LINKS_PER_POST`, Telegram's own links
left out), or else its text when it is long enough or forwarded. Each is added the way /add adds it
(the same fetch limits and SSRF rules), without a message: a 👌 reaction marks the post once an
article from it is in the library. A post that yields nothing gets a 🤷 reaction, and the reason is
said once per kind of failure per hour, as a silent reply, so a busy channel is not flooded. At most
`SANAD_WATCH_PER_HOUR` articles are added per chat per hour; beyond that the bot says once that
watching is paused, and goes on by itself when the hour has passed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from urllib.parse import urlsplit

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.addressing import command_argument
from bot.articles import EDITORS, ArticleHandlers
from bot.i18n import Texts
from bot.lookup import Librarian, visible_length
from bot.memory import Memory
from bot.messages import Context, message_of, texts_of
from bot.render import render_add_error, render_notice
from bot.sources import Link, Source, Text, origin_of, source_of_text
from index import SanadError

log = logging.getLogger(__name__)

LINKS_PER_POST = 3
ADDED_REACTION = "👌"
FAILED_REACTION = "🤷"
TELL_FAILURE_EVERY = 3600.0  # seconds between two reports of the same kind of failure in one chat
HOUR = 3600.0
_TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog", "telegra.ph"})


class Watcher:
    """/watch, and the posts of watched chats."""

    def __init__(
        self, librarian: Librarian, memory: Memory, articles: ArticleHandlers, per_hour: int
    ) -> None:
        self.librarian = librarian
        self.memory = memory
        self.articles = articles
        self.per_hour = per_hour
        self.min_chars = articles.settings.article_min_chars
        self._added: defaultdict[int, deque[float]] = defaultdict(deque)  # chat -> when articles went in
        self._told: dict[tuple[int, str], float] = {}  # (chat, kind of failure) -> when it was said

    async def watch(self, update: Update, context: Context) -> None:
        """/watch on|off: whether every article posted here is added to the chat's library."""
        message, texts = message_of(update), texts_of(update)
        choice = command_argument(message.text or "").strip().lower()
        chat = message.chat
        if chat.type == ChatType.PRIVATE:
            await message.reply_text(render_notice(texts.watch_private, texts))
            return
        if choice not in ("on", "off"):
            on = await self.memory.watches(chat.id)
            state = texts.watch_state_on if on else texts.watch_state_off
            await message.reply_text(render_notice(f"{state}\n{texts.watch_usage}", texts))
            return
        if not await self.articles.may_edit(update, context, texts):
            return
        if choice == "on" and chat.type != ChatType.CHANNEL and not await _bot_reads_posts(message, context):
            await message.reply_text(render_notice(texts.watch_needs_admin, texts))
            return
        await self.memory.set_watch(chat.id, choice == "on")
        log.info("chat %s: watching turned %s", chat.id, choice)
        done = texts.watch_turned_on if choice == "on" else texts.watch_turned_off
        await message.reply_text(render_notice(done, texts), disable_notification=True)

    async def post(self, update: Update, context: Context) -> None:
        """A post in a channel or group: its articles go into the library when the chat is watched."""
        message = update.effective_message
        if message is None or not await self.memory.watches(message.chat.id):
            return
        sources = posted_sources(message, self.min_chars)
        if not sources:
            return
        chat_id, texts = message.chat.id, texts_of(update)
        if not self._budget(chat_id):
            await self._tell_once(message, "paused", texts.watch_paused.format(limit=self.per_hour), texts)
            return
        failures: list[SanadError] = []
        added = 0
        for source in sources:
            try:
                if isinstance(source, Link):
                    await asyncio.to_thread(self.librarian.add_link, chat_id, source.url)
                else:
                    await asyncio.to_thread(
                        self.librarian.add_text, chat_id, source.text, source=source.origin
                    )
                added += 1
            except SanadError as exc:
                log.info("chat %s: watched post %s not added: %s", chat_id, message.message_id, exc)
                failures.append(exc)
        log.info("chat %s: watched post %s: %d articles added", chat_id, message.message_id, added)
        await _react(message, ADDED_REACTION if added else FAILED_REACTION)
        if failures and not added:
            reason = render_add_error(failures[0], texts).removeprefix("⚠️ ")
            text = texts.watch_failed.format(reason=reason)
            await self._tell_once(message, type(failures[0]).__name__, text, texts)

    def _budget(self, chat_id: int) -> bool:
        """Take one from the chat's hourly allowance of articles; False when it is spent."""
        now = time.monotonic()
        times = self._added[chat_id]
        while times and now - times[0] > HOUR:
            times.popleft()
        if len(times) >= self.per_hour:
            return False
        times.append(now)
        return True

    async def _tell_once(self, message: Message, kind: str, text: str, texts: Texts) -> None:
        """Say `text` as a silent reply, unless this kind of thing was said in the chat this hour."""
        key = (message.chat.id, kind)
        now = time.monotonic()
        if now - self._told.get(key, -TELL_FAILURE_EVERY) < TELL_FAILURE_EVERY:
            return
        self._told[key] = now
        try:
            await message.reply_text(render_notice(f"⚠️ {text}", texts), disable_notification=True)
        except TelegramError as exc:
            log.warning("chat %s: could not report a watched post: %s", message.chat.id, exc)


def posted_sources(message: Message, min_chars: int) -> list[Source]:
    """The articles a post holds: its links (Telegram's own left out), else its text when it is
    forwarded or long enough to be an article."""
    entities = (
        message.parse_entities([MessageEntity.URL, MessageEntity.TEXT_LINK])
        if message.text
        else message.parse_caption_entities([MessageEntity.URL, MessageEntity.TEXT_LINK])
    )
    links: list[Source] = []
    for entity, text in entities.items():
        source = source_of_text(entity.url or text)
        if isinstance(source, Link) and source not in links and not _telegram_link(source.url):
            links.append(source)
    if links:
        return links[:LINKS_PER_POST]
    text = (message.text or message.caption or "").strip()
    if text and (message.forward_origin is not None or visible_length(text) >= min_chars):
        return [Text(text, origin_of(message))]
    return []


def _telegram_link(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host in _TELEGRAM_HOSTS


async def _bot_reads_posts(message: Message, context: Context) -> bool:
    """Whether the bot sees every message of this group: only as an admin (privacy mode hides the rest)."""
    try:
        member = await context.bot.get_chat_member(message.chat.id, context.bot.id)
    except TelegramError as exc:
        log.warning("could not check the bot's own status in chat %s: %s", message.chat.id, exc)
        return False
    return member.status in EDITORS


async def _react(message: Message, emoji: str) -> None:
    """Mark a post; a chat that allows no reactions (or this one) only loses the mark."""
    try:
        await message.set_reaction(emoji)
    except TelegramError as exc:
        log.info("chat %s: could not react to post %s: %s", message.chat.id, message.message_id, exc)
