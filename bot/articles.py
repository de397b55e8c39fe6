"""The chat's own library: adding articles (links, pasted or forwarded text, files), listing and removing.

    /add <link>, or a message that is just a link   fetched and added at once
    /add as a reply to a message or a file          that message's article is added at once
    pasted long text, forwarded text, a file        an "Add to library" button under it
    /sources                                        the chat's articles (remove buttons), the shared ones
    /remove N, /clear                               a confirmation first

An add shows its progress in one message: "Reading…" (while the chat shows "typing"), then edited into
"Added: <title>, N sentences", or into what went wrong. In groups only admins add and remove, checked
with Telegram each time (SANAD_GROUP_EDITORS=everyone lifts it). No state is kept between updates:
the add button finds its article in the message the offer replies to, and the remove buttons carry the
article's id, so buttons keep working after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from telegram import Chat, Document, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import filters

from bot.addressing import command_argument, without_mention_keeping_lines
from bot.i18n import Texts
from bot.keyboards import (
    ArticlePress,
    add_keyboard,
    confirm_keyboard,
    parse_article_callback,
    sources_keyboard,
)
from bot.lookup import Added, Librarian
from bot.messages import Context, edit, message_of, texts_of
from bot.render import (
    render_add_error,
    render_added,
    render_confirm_remove,
    render_notice,
    render_offer,
    render_removed,
    render_sources,
)
from bot.settings import BotSettings
from index import SanadError, TooLargeError, UnsupportedTypeError
from index.ingest import FILE_SUFFIXES

log = logging.getLogger(__name__)

TYPING_EVERY = 4.5  # seconds; Telegram shows a chat action for about 5
_LINK = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?", re.IGNORECASE)
_EDITORS = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})

Markup = InlineKeyboardMarkup | None


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


Source = Link | Text | File


class ArticleHandlers:
    """The callbacks for the chat's own library, sharing the settings and the librarian."""

    def __init__(self, settings: BotSettings, librarian: Librarian) -> None:
        self.settings = settings
        self.librarian = librarian

    # ------------------------------------------------------------------ adding

    async def add(self, update: Update, context: Context) -> None:
        """/add <link or text>, or /add in reply to the message or file that holds the article."""
        message, texts = message_of(update), texts_of(update)
        argument = command_argument(message.text or "")
        source = None
        if argument:
            source = source_of_text(argument, bare_domains=True)
        elif message.reply_to_message is not None:
            source = source_of(message.reply_to_message, context.bot.username)
        if source is None:
            await message.reply_text(render_notice(texts.add_usage, texts))
            return
        if await self._may_edit(update, context, texts):
            await self._add(message, context, source, texts)

    async def link(self, update: Update, context: Context) -> None:
        """A message that is just a link: fetch it and add the article."""
        message, texts = message_of(update), texts_of(update)
        source = source_of(message, context.bot.username)
        assert isinstance(source, Link), "registered for JUST_A_LINK messages"
        if await self._may_edit(update, context, texts):
            await self._add(message, context, source, texts)

    async def offer(self, update: Update, context: Context) -> None:
        """Long or forwarded text, or a file: ask, with a button, whether to add it (not a question)."""
        message, texts = message_of(update), texts_of(update)
        if message.document is not None:
            refusal = self._file_refusal(message.document)
            if refusal is not None:
                await message.reply_text(render_add_error(refusal, texts))
                return
            text = render_offer(texts, file_name=message.document.file_name or "")
        else:
            text = render_offer(texts, characters=len(message.text or ""))
        await message.reply_text(text, reply_markup=add_keyboard(texts))

    # ------------------------------------------------------------------ listing and removing

    async def sources(self, update: Update, context: Context) -> None:
        """The chat's articles, each with a remove button, and the shared ones."""
        message, texts = message_of(update), texts_of(update)
        parts, markup = await self._sources_view(message.chat.id, texts)
        for number, part in enumerate(parts):
            await message.reply_text(part, reply_markup=markup if number == len(parts) - 1 else None)

    async def remove(self, update: Update, context: Context) -> None:
        """/remove N (numbered as /sources lists the chat's articles) asks to confirm; /remove lists them."""
        message, texts = message_of(update), texts_of(update)
        argument = command_argument(message.text or "")
        if not argument:
            await self.sources(update, context)
            return
        if not argument.isdigit():
            await message.reply_text(render_notice(texts.remove_usage, texts))
            return
        if not await self._may_edit(update, context, texts):
            return
        documents = await asyncio.to_thread(self.librarian.chat_documents, message.chat.id)
        number = int(argument)
        if not 1 <= number <= len(documents):
            await message.reply_text(render_notice(texts.remove_missing.format(number=number), texts))
            return
        document = documents[number - 1]
        await message.reply_text(
            render_confirm_remove(document, texts),
            reply_markup=confirm_keyboard(texts.remove_yes, f"rmok:{document.id}", texts),
        )

    async def clear(self, update: Update, context: Context) -> None:
        """/clear: asks to confirm removing all of the chat's articles."""
        message, texts = message_of(update), texts_of(update)
        if not await self._may_edit(update, context, texts):
            return
        count = len(await asyncio.to_thread(self.librarian.chat_documents, message.chat.id))
        if not count:
            await message.reply_text(render_notice(texts.nothing_to_clear, texts))
            return
        await message.reply_text(
            render_notice(texts.confirm_clear.format(count=count), texts),
            reply_markup=confirm_keyboard(texts.clear_yes, "clrok", texts),
        )

    # ------------------------------------------------------------------ buttons

    async def button(self, update: Update, context: Context) -> None:
        """Add to library, remove (ask, then do), remove all, cancel."""
        query = update.callback_query
        assert query is not None
        texts = texts_of(update)
        press = parse_article_callback(query.data)
        message = query.message
        if press is None or not isinstance(message, Message):
            await query.answer(texts.button_invalid)
            return
        refusal = await self._edit_refusal(message.chat, query.from_user, None, context)
        if refusal is not None:
            await query.answer(getattr(texts, refusal), show_alert=True)
            return
        if press.action == "add":
            replied = message.reply_to_message
            source = source_of(replied, context.bot.username) if replied else None
            if source is None:
                await query.answer(texts.offer_gone, show_alert=True)
                return
            await query.answer()
            await self._add(message, context, source, texts, status=message)
            return
        await query.answer()
        await edit(
            context, message.chat.id, message.message_id, *await self._pressed(press, message.chat.id, texts)
        )

    async def _pressed(self, press: ArticlePress, chat_id: int, texts: Texts) -> tuple[str, Markup]:
        """The message a removal button leaves behind, with its buttons."""
        if press.action == "ask_remove":
            assert press.document_id is not None
            document = await asyncio.to_thread(self.librarian.shelf.document, chat_id, press.document_id)
            if document is not None:
                yes = confirm_keyboard(texts.remove_yes, f"rmok:{document.id}", texts)
                return render_confirm_remove(document, texts), yes
            return render_notice(texts.already_removed, texts), None
        if press.action == "remove":
            assert press.document_id is not None
            removed = await asyncio.to_thread(self.librarian.remove, chat_id, press.document_id)
            text = render_removed(removed, texts) if removed else render_notice(texts.already_removed, texts)
            return text, None
        if press.action == "clear":
            count = await asyncio.to_thread(self.librarian.clear, chat_id)
            if not count:
                return render_notice(texts.nothing_to_clear, texts), None
            return render_notice(f"🗑 {texts.cleared.format(count=count)}", texts), None
        parts, markup = await self._sources_view(chat_id, texts)  # "keep": back to the list
        return parts[0], markup if len(parts) == 1 else None

    # ------------------------------------------------------------------ internals

    async def _add(
        self,
        reply_to: Message,
        context: Context,
        source: Source,
        texts: Texts,
        *,
        status: Message | None = None,
    ) -> None:
        """Add `source` to the chat's library, showing progress in one message (`status`, or a new reply)."""
        chat_id = reply_to.chat.id
        typing = asyncio.create_task(_keep_typing(context, chat_id))
        try:
            reading = render_notice(f"⏳ {texts.reading}", texts)
            if status is None:
                status = await reply_to.reply_text(reading)
            else:
                await edit(context, chat_id, status.message_id, reading, None)
            try:
                added = await self._added(chat_id, source, context)
                result = render_added(added.document, added.new, texts)
            except SanadError as exc:
                log.info("chat %s: article refused: %s", chat_id, exc)
                result = render_add_error(exc, texts)
            except Exception:  # the message must not stay "Reading…"; the details go to the log only
                log.exception("chat %s: adding an article failed", chat_id)
                result = render_add_error(RuntimeError(), texts)
        finally:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing
        await edit(context, chat_id, status.message_id, result, None)

    async def _added(self, chat_id: int, source: Source, context: Context) -> Added:
        if isinstance(source, Link):
            return await asyncio.to_thread(self.librarian.add_link, chat_id, source.url)
        if isinstance(source, Text):
            return await asyncio.to_thread(
                self.librarian.add_text, chat_id, source.text, source=source.origin
            )
        refusal = self._file_refusal(source.document)
        if refusal is not None:
            raise refusal
        file = await context.bot.get_file(source.document.file_id)
        data = bytes(await file.download_as_bytearray())
        name = source.document.file_name or "article.txt"
        return await asyncio.to_thread(self.librarian.add_file, chat_id, name, data)

    def _file_refusal(self, document: Document) -> SanadError | None:
        """What is wrong with a file before downloading it: its type, or its size."""
        name = document.file_name or ""
        suffix = PurePath(name).suffix.lower()
        if suffix not in FILE_SUFFIXES:
            kind = suffix or (document.mime_type or "this file")
            return UnsupportedTypeError(f"{name}: {kind} cannot be read.", kind=kind)
        limit = self.librarian.fetch.max_bytes
        if (document.file_size or 0) > limit:
            return TooLargeError(
                f"{name} is {document.file_size:,} bytes; the limit is {limit:,}.", limit=limit
            )
        return None

    async def _sources_view(self, chat_id: int, texts: Texts) -> tuple[list[str], Markup]:
        own = await asyncio.to_thread(self.librarian.chat_documents, chat_id)
        shared = await asyncio.to_thread(self.librarian.shared_documents)
        return render_sources(own, shared, texts), sources_keyboard(own, texts)

    async def _may_edit(self, update: Update, context: Context, texts: Texts) -> bool:
        """Whether the sender may change this chat's library; tells them why not when they may not."""
        message = message_of(update)
        refusal = await self._edit_refusal(message.chat, update.effective_user, message.sender_chat, context)
        if refusal is not None:
            await message.reply_text(render_notice(getattr(texts, refusal), texts))
        return refusal is None

    async def _edit_refusal(
        self, chat: Chat, user: User | None, sender_chat: Chat | None, context: Context
    ) -> str | None:
        """None when the user may add and remove here, else the name of the interface string saying why."""
        if chat.type == ChatType.PRIVATE or self.settings.group_editors == "everyone":
            return None
        if sender_chat is not None and sender_chat.id == chat.id:
            return None  # an anonymous admin speaks as the group itself
        if user is None:
            return "editors_only"
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("could not check the member %s of chat %s: %s", user.id, chat.id, exc)
            return "editors_unknown"
        return None if member.status in _EDITORS else "editors_only"


# ---------------------------------------------------------------------- sources


def source_of(message: Message, username: str) -> Source | None:
    """The article a message that was pointed at holds: its file, its link (a bare "example.com/story"
    too), or its text (without the bot's @mention)."""
    if message.document is not None:
        return File(message.document)
    text = without_mention_keeping_lines(message.text or message.caption or "", username)
    if not text:
        return None
    source = source_of_text(text, bare_domains=True)
    if isinstance(source, Text):
        return Text(source.text, _origin(message))
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


def _origin(message: Message) -> str | None:
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
    """Text that is an article rather than a question: forwarded, or at least `min_chars` visible
    characters long (zero-width and direction marks do not count: a wall of them is no article)."""

    def __init__(self, min_chars: int) -> None:
        super().__init__(name=f"ArticleLike({min_chars})")
        self.min_chars = min_chars

    def filter(self, message: Message) -> bool:
        text = (message.text or "").strip()
        if not any(char.isalnum() for char in text):
            return False  # nothing to read: it is refused as a question instead
        visible = sum(not char.isspace() and unicodedata.category(char) != "Cf" for char in text)
        return message.forward_origin is not None or visible >= self.min_chars


JUST_A_LINK = JustALink(name="JustALink")


async def _keep_typing(context: Context, chat_id: int) -> None:
    """Show "typing…" until cancelled: adding a long article takes longer than one chat action lasts."""
    try:
        while True:
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY)
    except TelegramError as exc:
        log.warning("could not show typing in chat %s: %s", chat_id, exc)
