"""The chat's own library: adding articles (links, pasted or forwarded text, files), listing and removing.

    /add <link>, or a message that is just a link   fetched and added at once
    /add as a reply to a message or a file          that message's article is added at once
    pasted long text, forwarded text, a file,       an "Add to library" button under it
    a photo (read by OCR)
    /sources                                        the chat's articles (remove buttons), the shared ones
    /remove N, /clear                               a confirmation first

An add shows its progress in one message: "Reading…" (while the chat shows "typing"), then edited into
"Added: <title>, N sentences", or into what went wrong. The add is recorded while it runs (bot/state.py):
when the bot dies mid-add, the journal hands the update back on restart and the add goes on in the same
message, or, when it is given up, the message says the add was interrupted. In groups only admins add,
remove and repair, checked with Telegram each time (SANAD_GROUP_EDITORS=everyone lifts it). The add
button finds its article in the message the offer replies to, and the remove buttons carry the
article's id; every button is recorded with the user it was sent to, who alone may press it.

A chat whose own library is damaged gets that said plainly, with `/repair` and the exact server command
(`sanad repair --chat ID`), wherever its library is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import PurePath

from telegram import Bot, Chat, Document, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.addressing import command_argument
from bot.i18n import TEXTS, Texts
from bot.keyboards import (
    ArticlePress,
    add_keyboard,
    confirm_keyboard,
    parse_article_callback,
    sources_keyboard,
)
from bot.lookup import Added, Librarian
from bot.memory import Memory
from bot.messages import Context, answer_query, edit, message_of, texts_of
from bot.pastes import Pastes
from bot.render import (
    count_sentences,
    render_add_error,
    render_added,
    render_confirm_remove,
    render_damaged,
    render_notice,
    render_offer,
    render_removed,
    render_sources,
)
from bot.settings import BotSettings
from bot.sources import PHOTO_NAME, Link, Photo, Source, Text, label_of, origin_of, source_of, source_of_text
from bot.state import Adding
from index import (
    FILE_SUFFIXES,
    ChatLibraryError,
    NoOcrError,
    SanadError,
    TooLargeError,
    UnsupportedTypeError,
    ocr_available,
)
from index import Document as Article
from index.ingest import file_label

log = logging.getLogger(__name__)

TYPING_EVERY = 4.5  # seconds; Telegram shows a chat action for about 5
EDITORS = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})  # who may edit

Markup = InlineKeyboardMarkup | None


class ArticleHandlers:
    """The callbacks for the chat's own library, sharing the settings and the librarian."""

    def __init__(self, settings: BotSettings, librarian: Librarian, memory: Memory, pastes: Pastes) -> None:
        self.settings = settings
        self.librarian = librarian
        self.memory = memory
        self.pastes = pastes

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
        if await self.may_edit(update, context, texts):
            await self._add(message, context, source, texts, update_id=update.update_id)

    async def link(self, update: Update, context: Context) -> None:
        """A message that is just a link: fetch it and add the article."""
        message, texts = message_of(update), texts_of(update)
        source = source_of(message, context.bot.username)
        assert isinstance(source, Link), "registered for JUST_A_LINK messages"
        if await self.may_edit(update, context, texts):
            await self._add(message, context, source, texts, update_id=update.update_id)

    async def offer(self, update: Update, context: Context) -> None:
        """Long or forwarded text, a file or a photo: ask, with a button, whether to add it (not a
        question)."""
        message, texts = message_of(update), texts_of(update)
        if message.photo:
            if not ocr_available():
                await message.reply_text(render_add_error(NoOcrError("no OCR"), texts))
                return
            text = render_offer(texts, photo=True)
        elif message.document is not None:
            refusal = self._file_refusal(message.document)
            if refusal is not None:
                await message.reply_text(render_add_error(refusal, texts))
                return
            text = render_offer(texts, file_name=file_label(message.document.file_name or ""))
        elif (key := self.pastes.key(message)) is not None:
            async with self.pastes.lock(key):  # the parts of one paste, one at a time and in order
                await self._offer_text(update, context, message, texts)
            return
        else:
            text = render_offer(texts, characters=len(message.text or ""))
        markup = add_keyboard(texts)
        offer = await message.reply_text(text, reply_markup=markup)
        await self.memory.shows(message.chat.id, offer.message_id, markup, user_id=_owner(update))

    async def _offer_text(self, update: Update, context: Context, message: Message, texts: Texts) -> None:
        """Offer pasted text, or join it to the offer of the paste it continues (bot/pastes.py)."""
        paste = self.pastes.continuing(message)
        markup = add_keyboard(texts)
        if paste is None or paste.offer_id is None:
            paste = self.pastes.add(message)
            text = render_offer(texts, characters=len(message.text or ""))
            offer = await message.reply_text(text, reply_markup=markup)
            paste.offer_id = offer.message_id
            await self.memory.shows(message.chat.id, offer.message_id, markup, user_id=_owner(update))
            return
        self.pastes.add(message, paste)
        article = paste.text()
        await self.memory.set_offer(message.chat.id, paste.offer_id, article, origin_of(message))
        text = render_offer(texts, characters=len(article), parts=len(paste.parts))
        await edit(context, message.chat.id, paste.offer_id, text, markup)

    # ------------------------------------------------------------------ listing and removing

    async def sources(self, update: Update, context: Context) -> None:
        """The chat's articles, each with a remove button, and the shared ones."""
        message, texts = message_of(update), texts_of(update)
        parts, markup = await self._sources_view(message.chat.id, texts)
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            sent = await message.reply_text(part, reply_markup=markup if last else None)
        await self.memory.shows(message.chat.id, sent.message_id, markup, user_id=_owner(update))

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
        if not await self.may_edit(update, context, texts):
            return
        documents = await self._chat_documents(message, texts)
        if documents is None:
            return
        number = int(argument)
        if not 1 <= number <= len(documents):
            await message.reply_text(render_notice(texts.remove_missing.format(number=number), texts))
            return
        document = documents[number - 1]
        markup = confirm_keyboard(texts.remove_yes, f"rmok:{document.id}", texts)
        confirm = await message.reply_text(render_confirm_remove(document, texts), reply_markup=markup)
        await self.memory.shows(message.chat.id, confirm.message_id, markup, user_id=_owner(update))

    async def clear(self, update: Update, context: Context) -> None:
        """/clear: asks to confirm removing all of the chat's articles."""
        message, texts = message_of(update), texts_of(update)
        if not await self.may_edit(update, context, texts):
            return
        documents = await self._chat_documents(message, texts)
        if documents is None:
            return
        if not documents:
            await message.reply_text(render_notice(texts.nothing_to_clear, texts))
            return
        markup = confirm_keyboard(texts.clear_yes, "clrok", texts)
        text = render_notice(texts.confirm_clear.format(count=len(documents)), texts)
        confirm = await message.reply_text(text, reply_markup=markup)
        await self.memory.shows(message.chat.id, confirm.message_id, markup, user_id=_owner(update))

    async def shared(self, update: Update, context: Context) -> None:
        """/shared off|on: whether this chat searches the shared articles beside its own (editors only
        change it); /shared alone says which."""
        message, texts = message_of(update), texts_of(update)
        choice = command_argument(message.text or "").strip().lower()
        chat_id = message.chat.id
        if choice not in ("on", "off"):
            on = await self.memory.searches_shared(chat_id)
            state = texts.shared_state_on if on else texts.shared_state_off
            await message.reply_text(render_notice(f"{state}\n{texts.shared_usage}", texts))
            return
        if not await self.may_edit(update, context, texts):
            return
        await self.memory.set_shared(chat_id, choice == "on")
        log.info("chat %s: shared articles turned %s", chat_id, choice)
        done = texts.shared_turned_on if choice == "on" else texts.shared_turned_off
        await message.reply_text(render_notice(done, texts))

    async def repair(self, update: Update, context: Context) -> None:
        """/repair: mend this chat's damaged library (group admins; in a private chat, its owner)."""
        message, texts = message_of(update), texts_of(update)
        if not await self.may_edit(update, context, texts):
            return
        chat_id = message.chat.id
        try:
            repaired = await asyncio.to_thread(self.librarian.repair, chat_id)
        except SanadError as exc:
            log.error(
                "chat %s: /repair failed: %s (on the server: sanad repair --chat %s)", chat_id, exc, chat_id
            )
            await message.reply_text(render_notice(f"⚠️ {texts.repair_failed.format(chat_id=chat_id)}", texts))
            return
        if repaired is None:
            await message.reply_text(render_notice(texts.repair_not_needed, texts))
            return
        sentences = count_sentences(repaired.sentences, texts)
        done = texts.repaired.format(documents=repaired.documents, sentences=sentences)
        await message.reply_text(render_notice(f"🛠 {done}", texts))

    # ------------------------------------------------------------------ buttons

    async def button(self, update: Update, context: Context) -> None:
        """Add to library, remove (ask, then do), remove all, cancel."""
        query = update.callback_query
        assert query is not None
        texts = texts_of(update)
        press = parse_article_callback(query.data)
        message = query.message
        if press is None or not isinstance(message, Message):
            await answer_query(query, texts.button_stale)
            return
        refusal = await self._edit_refusal(message.chat, query.from_user, None, context)
        if refusal is not None:
            await answer_query(query, getattr(texts, refusal), show_alert=True)
            return
        if press.action == "add":
            joined = await self.memory.offer(message.chat.id, message.message_id)  # several messages
            source: Source | None = Text(*joined) if joined else None
            if source is None and message.reply_to_message is not None:
                source = source_of(message.reply_to_message, context.bot.username)
            if source is None:
                await answer_query(query, texts.offer_gone, show_alert=True)
                return
            await answer_query(query)
            await self._add(message, context, source, texts, status=message, update_id=update.update_id)
            return
        await answer_query(query)
        try:
            text, markup = await self._pressed(press, message.chat.id, texts)
        except ChatLibraryError as exc:
            log.warning("%s", exc)
            text, markup = render_damaged(exc.chat_id, texts), None
        await edit(context, message.chat.id, message.message_id, text, markup)
        await self.memory.shows(message.chat.id, message.message_id, markup, user_id=query.from_user.id)

    # ------------------------------------------------------------------ interrupted adds

    async def interrupted(self, update_id: int, bot: Bot) -> bool:
        """Say in its progress message that the add update `update_id` started was interrupted (when
        it started one); whether it had."""
        adding = await self.memory.add_of(update_id)
        if adding is None:
            return False
        texts = TEXTS.get(adding.language, TEXTS["en"])  # type: ignore[call-overload]
        text = render_notice(f"⚠️ {texts.add_interrupted.format(label=adding.label)}", texts)
        try:
            await bot.edit_message_text(text, chat_id=adding.chat_id, message_id=adding.message_id)
        except TelegramError as exc:
            log.warning(
                "chat %s: could not report the interrupted add of %s: %s", adding.chat_id, adding.label, exc
            )
        await self.memory.end_add(update_id)
        log.info("chat %s: the add of %s was interrupted; the chat was told", adding.chat_id, adding.label)
        return True

    async def report_interrupted(self, bot: Bot) -> int:
        """At start: report every add that was interrupted and will not be tried again; how many."""
        orphans = await self.memory.orphaned_adds()
        for adding in orphans:
            await self.interrupted(adding.update_id, bot)
        return len(orphans)

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
        update_id: int,
        status: Message | None = None,
    ) -> None:
        """Add `source` to the chat's library, showing progress in one message: `status`, or a new reply,
        or the one an interrupted try of the same update left."""
        chat_id = reply_to.chat.id
        typing = asyncio.create_task(_keep_typing(context, chat_id))
        try:
            reading = render_notice(f"⏳ {texts.reading}", texts)
            earlier = await self.memory.add_of(update_id)
            if earlier is not None:
                status_id = earlier.message_id
                await edit(context, chat_id, status_id, reading, None)
            elif status is None:
                status_id = (await reply_to.reply_text(reading)).message_id
            else:
                status_id = status.message_id
                await edit(context, chat_id, status_id, reading, None)
            await self.memory.start_add(
                Adding(update_id, chat_id, status_id, label_of(source), texts.language)
            )
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
        await edit(context, chat_id, status_id, result, None)
        await self.memory.shows(chat_id, status_id, None)
        await self.memory.end_add(update_id)

    async def _added(self, chat_id: int, source: Source, context: Context) -> Added:
        if isinstance(source, Link):
            return await asyncio.to_thread(self.librarian.add_link, chat_id, source.url)
        if isinstance(source, Text):
            return await asyncio.to_thread(
                self.librarian.add_text, chat_id, source.text, source=source.origin
            )
        if isinstance(source, Photo):
            file = await context.bot.get_file(source.photo.file_id)
            data = bytes(await file.download_as_bytearray())
            return await asyncio.to_thread(self.librarian.add_file, chat_id, PHOTO_NAME, data)
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
            kind = suffix or document.mime_type or ""  # none: the reply names it in the reader's language
            return UnsupportedTypeError(
                f"{name}: {kind or UnsupportedTypeError.UNKNOWN_KIND} cannot be read.", kind=kind
            )
        limit = self.librarian.fetch.max_bytes
        if (document.file_size or 0) > limit:
            return TooLargeError(
                f"{name} is {document.file_size:,} bytes; the limit is {limit:,}.", limit=limit
            )
        return None

    async def _sources_view(self, chat_id: int, texts: Texts) -> tuple[list[str], Markup]:
        searched = await self.memory.searches_shared(chat_id)
        shared = await asyncio.to_thread(self.librarian.shared_documents) if searched else []
        try:
            own = await asyncio.to_thread(self.librarian.chat_documents, chat_id)
        except ChatLibraryError as exc:
            log.warning("%s", exc)
            return render_sources([], shared, texts, damaged=chat_id), None
        parts = render_sources(own, shared, texts)
        if not searched:
            parts[-1] += "\n\n" + render_notice(f"{texts.shared_state_off} /shared on", texts)
        return parts, sources_keyboard(own, texts)

    async def _chat_documents(self, message: Message, texts: Texts) -> list[Article] | None:
        """The chat's own articles; None (after saying why) when its library is damaged."""
        try:
            return await asyncio.to_thread(self.librarian.chat_documents, message.chat.id)
        except ChatLibraryError as exc:
            log.warning("%s", exc)
            await message.reply_text(render_damaged(message.chat.id, texts))
            return None

    async def may_edit(self, update: Update, context: Context, texts: Texts) -> bool:
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
        return None if member.status in EDITORS else "editors_only"


def _owner(update: Update) -> int | None:
    """Who alone may press the buttons of a reply to this update: its sender (None when an anonymous
    admin speaks as the group: any admin may then)."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        return None
    return update.effective_user.id if update.effective_user else None


async def _keep_typing(context: Context, chat_id: int) -> None:
    """Show "typing…" until cancelled: adding a long article takes longer than one chat action lasts."""
    try:
        while True:
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY)
    except TelegramError as exc:
        log.warning("could not show typing in chat %s: %s", chat_id, exc)
