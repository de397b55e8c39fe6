"""The bot's callbacks: read the update, ask the librarian off the event loop, render, reply.

Each callback is thin. What a group message means is decided in addressing.py and deeplink.py, what
to say in render.py and i18n/, what to remember for buttons and edits in memory.py. The search runs
in a worker thread and the application handles updates concurrently, so one slow question never holds
up the other chats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.addressing import command_argument, without_mention
from bot.deeplink import question_from_payload, start_payload
from bot.i18n import Texts, texts_for
from bot.keyboards import (
    ExamplePress,
    View,
    ViewPress,
    VotePress,
    answer_keyboard,
    examples_keyboard,
    parse_callback,
    views_of,
)
from bot.lookup import Librarian, Lookup
from bot.memory import Memory, markup_of, new_key, view_of
from bot.messages import Context, answer_query, edit, message_of, show_typing, texts_of
from bot.render import (
    INLINE_TITLE_LIMIT,
    place,
    render_answer,
    render_context,
    render_help,
    render_inline,
    render_notice,
    render_others,
    render_refusal,
    render_welcome,
    shorten,
)
from bot.settings import BotSettings
from bot.state import Quoted, Remembered
from index import ArticleRef, ChatLibraryError, Hit, InputError, ShownQuote, Vote, voter_id

log = logging.getLogger(__name__)

INLINE_QUOTES = 5
INLINE_CACHE_SECONDS = 10  # Telegram caches inline answers for 300 s unless told otherwise
REFUSED_CACHE_SECONDS = 300  # an empty inline answer for users outside SANAD_ALLOWED_CHATS
TELL_REFUSED_EVERY = 3600.0  # seconds between replies to the same refused user


class Handlers:
    """The callbacks `build_application` registers, sharing the settings and the librarian."""

    def __init__(self, settings: BotSettings, librarian: Librarian, memory: Memory) -> None:
        self.settings = settings
        self.librarian = librarian
        self.memory = memory
        self._told: dict[int, float] = {}  # refused user -> when they were last told so

    # ------------------------------------------------------------------ gate and errors

    async def gate(self, update: Update, context: Context) -> None:
        """Stop updates from chats and users outside SANAD_ALLOWED_CHATS before any handler sees them:
        an empty inline answer, and in a private chat a short reply (at most hourly per user)."""
        chat_id = update.effective_chat.id if update.effective_chat else None
        user_id = update.effective_user.id if update.effective_user else None
        if self.settings.allows(chat_id, user_id):
            return
        log.info("refused update %s from chat %s: not in SANAD_ALLOWED_CHATS", update.update_id, chat_id)
        try:
            await self._refuse(update, user_id)
        except TelegramError as exc:
            log.warning("could not tell chat %s it is refused: %s", chat_id, exc)
        raise ApplicationHandlerStop

    async def check_button(self, update: Update, context: Context) -> None:
        """Let a button press through only when the bot put that very button on that very message (and,
        for the buttons of one user, when that user presses it); anything else changes nothing."""
        query = update.callback_query
        if query is None:
            return
        texts = texts_of(update)
        message = query.message
        button = None
        if isinstance(message, Message) and query.data:
            button = await self.memory.button(message.chat.id, message.message_id, query.data)
        if button is None:
            log.info("stale or forged button %r from user %s", (query.data or "")[:64], query.from_user.id)
            await answer_query(query, texts.button_stale)
            raise ApplicationHandlerStop
        if button.user_id is not None and button.user_id != query.from_user.id:
            await answer_query(query, texts.button_not_yours)
            raise ApplicationHandlerStop

    async def on_error(self, update: object, context: Context) -> None:
        """Log a failure with where it happened. The update journal (bot/journal.py) tries the update
        again, and tells the user when it gives up (`gave_up`)."""
        if not isinstance(update, Update):  # a polling or network failure, not a user's update
            log.error("the bot failed outside an update", exc_info=context.error)
            return
        chat_id = update.effective_chat.id if update.effective_chat else None
        log.error("update %s in chat %s failed", update.update_id, chat_id, exc_info=context.error)

    async def gave_up(self, update: Update, reason: str) -> None:
        """Something short for the user whose update the journal gave up on; never the details."""
        texts = texts_of(update)
        if update.callback_query:
            await answer_query(update.callback_query, texts.gave_up)
        elif update.effective_message:
            await update.effective_message.reply_text(render_notice(texts.gave_up, texts))

    async def _refuse(self, update: Update, user_id: int | None) -> None:
        texts = texts_of(update)
        if update.inline_query is not None:
            await update.inline_query.answer([], cache_time=REFUSED_CACHE_SECONDS, is_personal=True)
            return
        if update.callback_query is not None:
            await answer_query(update.callback_query, texts.refused)
            return
        reply = self.settings.refused_reply
        chat = update.effective_chat
        if reply == "off" or chat is None or chat.type != "private" or user_id is None:
            return
        now = time.monotonic()
        if now - self._told.get(user_id, -TELL_REFUSED_EVERY) < TELL_REFUSED_EVERY:
            return
        self._told[user_id] = now
        message = update.effective_message
        if message is not None:
            await message.reply_text(render_notice(reply or texts.refused, texts))

    # ------------------------------------------------------------------ commands

    async def start(self, update: Update, context: Context) -> None:
        """Welcome, what is loaded and example questions; a deep link's question is answered instead."""
        payload = context.args[0] if context.args else ""
        if (question := question_from_payload(payload)) is not None:
            await self._answer(update, context, question)
            return
        if payload == "help":
            await self.help_command(update, context)
            return
        texts = texts_of(update)
        message = message_of(update)
        documents = await asyncio.to_thread(self.librarian.documents, message.chat.id)
        markup = examples_keyboard(texts)
        welcome = await message.reply_text(render_welcome(documents, texts), reply_markup=markup)
        await self.memory.shows(message.chat.id, welcome.message_id, markup)

    async def help_command(self, update: Update, context: Context) -> None:
        texts = texts_of(update)
        await message_of(update).reply_text(render_help(texts, mention=f"@{context.bot.username}"))

    async def ask(self, update: Update, context: Context) -> None:
        """/ask <question> (or /ask@bot <question>), in any chat; a bare /ask in reply to a colleague's
        message asks what that message says."""
        message = message_of(update)
        question = command_argument(message.text or "")
        if question:
            await self._answer(update, context, question, follows=await self._followed(message, context))
        elif question := _replied_question(message, context.bot.id):
            await self._answer(update, context, question)
        else:
            await self._usage(update)

    async def unknown_command(self, update: Update, context: Context) -> None:
        texts = texts_of(update)
        await message_of(update).reply_text(render_notice(texts.unknown_command, texts))

    # ------------------------------------------------------------------ messages

    async def question(self, update: Update, context: Context) -> None:
        """Any text in a private chat; in a group, text that mentions the bot or replies to it. A
        question in reply to one of the bot's answers is asked of that answer's article alone."""
        message = message_of(update)
        question = without_mention(message.text or "", context.bot.username)
        if question:
            await self._answer(update, context, question, follows=await self._followed(message, context))
        elif question := _replied_question(message, context.bot.id):  # just the @mention, in reply
            await self._answer(update, context, question)
        else:
            await self._usage(update)

    async def not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice and the like: a hint to write the question."""
        texts = texts_of(update)
        await message_of(update).reply_text(render_notice(texts.not_text, texts))

    # ------------------------------------------------------------------ buttons

    async def button(self, update: Update, context: Context) -> None:
        """Switch an answer between its views by editing it, or answer an example question.

        `check_button` has made sure the button is on this message; the views are the ones stored when
        the answer was sent, so they work after a restart too."""
        query = update.callback_query
        assert query is not None and isinstance(query.message, Message)
        message = query.message
        press = parse_callback(query.data)
        if isinstance(press, ExamplePress) and press.question:
            await answer_query(query)
            await self._answer(update, context, press.question, reply_to=message)
            return
        if isinstance(press, VotePress):
            await self._vote(update, press)
            return
        if not isinstance(press, ViewPress):
            await answer_query(query, texts_of(update).button_stale)
            return
        answer = await self.memory.answer(message.chat.id, press.key)
        view = answer.views.get(press.view) if answer else None
        if answer is None or view is None or message.message_id != answer.message_ids[-1]:
            await answer_query(query, texts_of(update).button_stale)
            return
        await answer_query(query)
        markup = markup_of(view)
        await edit(context, message.chat.id, message.message_id, view.text, markup)
        await self.memory.shows(message.chat.id, message.message_id, markup, answer_key=answer.key)

    # ------------------------------------------------------------------ inline mode

    async def inline(self, update: Update, context: Context) -> None:
        """@bot <question> in any chat: up to five quotes to pick from, each a ready message."""
        query = update.inline_query
        assert query is not None
        question = query.query.strip()
        texts = texts_for(query.from_user.language_code, question)
        lookup = None
        if question:
            # The user's private chat has the user's id: their own articles are searched, and its choice
            # about the shared ones holds.
            shared = await self.memory.searches_shared(query.from_user.id)
            with contextlib.suppress(InputError):  # no letters: offer help, as for an empty query
                lookup = await asyncio.to_thread(
                    self.librarian.ask,
                    question,
                    chat_id=query.from_user.id,
                    quotes=INLINE_QUOTES,
                    shared=shared,
                )
        quotes = lookup.quotes if lookup else ()
        results = [_inline_result(number, question, hit, texts) for number, hit in enumerate(quotes)]
        await query.answer(
            results,
            cache_time=INLINE_CACHE_SECONDS,
            is_personal=True,
            button=_inline_button(question, bool(results), texts),
        )

    # ------------------------------------------------------------------ answering

    async def _answer(
        self,
        update: Update,
        context: Context,
        question: str,
        *,
        reply_to: Message | None = None,
        follows: Quoted | None = None,
    ) -> None:
        """Answer `question`, replying to the message that asked it (or to `reply_to`); from the article
        of the quote `follows` alone, for a question asked in reply to an answer.

        An edited question updates the answer it got before, when that answer is one message and still
        remembered; otherwise the answer is a new reply.
        """
        message = reply_to or message_of(update)
        chat_id = message.chat.id
        texts = texts_for(update.effective_user.language_code if update.effective_user else None, question)
        about = ArticleRef(follows.chat_id, follows.document_id) if follows else None
        try:
            lookup = await self._ask(message, question, about)
        except InputError:
            await message.reply_text(render_refusal(question, texts))
            return
        previous = await self.memory.answer_to(chat_id, message.message_id) if update.edited_message else None
        key = previous.key if previous else new_key()
        parts = render_answer(lookup, texts, about=follows.title if follows else None)
        markup = answer_keyboard("answer", key, lookup, texts)
        # Every view is rendered before sending: after the reply goes out, only the writes that mark
        # it remembered and done remain (a crash in between answers twice on restart).
        views = {
            view: view_of(_view(view, lookup, texts), answer_keyboard(view, key, lookup, texts))
            for view in views_of(lookup)
        }
        message_ids: tuple[int, ...] = ()
        if previous and len(parts) == 1 == len(previous.message_ids):
            with contextlib.suppress(BadRequest):  # the old answer is gone: answer anew
                await edit(context, chat_id, previous.message_ids[0], parts[0], markup)
                message_ids = previous.message_ids
        if not message_ids:
            message_ids = await _send(message, parts, markup)
        quotes = tuple(_quoted(hit) for hit in lookup.quotes)
        await self.memory.remember_answer(
            chat_id,
            Remembered(key, texts.language, message_ids, views, lookup.answer.question, quotes),
            question_id=None if reply_to else message.message_id,
            update_id=update.update_id,
        )

    async def _followed(self, message: Message, context: Context) -> Quoted | None:
        """The first quote of the bot's answer `message` replies to (its article is what a question in
        reply asks about); None when it replies to nothing, to someone else, or to no remembered answer."""
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
            return None
        answer = await self.memory.answer_in(message.chat.id, replied.message_id)
        return answer.quotes[0] if answer and answer.quotes else None

    async def _vote(self, update: Update, press: VotePress) -> None:
        """Keep a 👍 or 👎 on an answer, with its question and quotes, in the chat's own library."""
        query = update.callback_query
        assert query is not None and isinstance(query.message, Message)
        chat_id = query.message.chat.id
        texts = texts_of(update)
        answer = await self.memory.answer(chat_id, press.key)
        if answer is None or not answer.quotes:
            await answer_query(query, texts.button_stale)
            return
        vote = Vote(
            answer=answer.key,
            voter=voter_id(chat_id, query.from_user.id),
            vote=press.vote,
            question=answer.question,
            quotes=tuple(
                ShownQuote(q.text, q.title, q.position, q.paragraph, q.source) for q in answer.quotes
            ),
            language=answer.language,
        )
        try:
            earlier = await asyncio.to_thread(self.librarian.record_vote, chat_id, vote)
        except ChatLibraryError as exc:
            log.warning("%s The vote was not kept.", exc)
            await answer_query(query, texts.error)
            return
        log.info("chat %s: answer %s voted %+d", chat_id, answer.key, press.vote)
        changed = earlier is not None and earlier != press.vote
        await answer_query(query, texts.vote_changed if changed else texts.vote_thanks)

    async def _ask(self, message: Message, question: str, about: ArticleRef | None = None) -> Lookup:
        """Search in a worker thread while Telegram shows "typing…"."""
        chat_id = message.chat.id
        shared = await self.memory.searches_shared(chat_id)
        _, found = await asyncio.gather(
            show_typing(message),
            asyncio.to_thread(self.librarian.ask, question, chat_id=chat_id, shared=shared, about=about),
            return_exceptions=True,
        )
        if isinstance(found, BaseException):
            raise found
        return found

    async def _usage(self, update: Update) -> None:
        texts = texts_of(update)
        await message_of(update).reply_text(
            render_notice(texts.ask_usage.format(example=texts.examples[0]), texts)
        )


# ---------------------------------------------------------------------- helpers


def _replied_question(message: Message, bot_id: int) -> str:
    """The text of the message `message` replies to, as a question, when someone other than the bot
    wrote it ("" otherwise: the bot's own answers are not asked again)."""
    replied = message.reply_to_message
    if replied is None or (replied.from_user is not None and replied.from_user.id == bot_id):
        return ""
    return " ".join((replied.text or replied.caption or "").split())


def _quoted(hit: Hit) -> Quoted:
    """What is remembered of a quote an answer shows."""
    sentence, document = hit.sentence, hit.document
    return Quoted(
        hit.chat_id,
        document.id,
        hit.text,
        document.label,
        sentence.position,
        sentence.paragraph,
        document.source,
    )


def _view(view: View, lookup: Lookup, texts: Texts) -> str:
    if view == "context":
        return render_context(lookup, texts)
    if view == "others":
        return render_others(lookup, texts)
    return render_answer(lookup, texts)[-1]  # the part that carries the buttons


async def _send(message: Message, parts: list[str], markup: InlineKeyboardMarkup | None) -> tuple[int, ...]:
    """Reply with `parts` in order; the first is attached to the question, the last carries the buttons."""
    sent = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        reply = await message.reply_text(part, do_quote=number == 0, reply_markup=markup if last else None)
        sent.append(reply.message_id)
    return tuple(sent)


def _inline_result(number: int, question: str, hit: Hit, texts: Texts) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=str(number),  # sentence ids repeat across the user's library and the shared one
        title=shorten(hit.text, INLINE_TITLE_LIMIT),
        description=f"{place(hit, texts)} · {hit.document.label}",
        input_message_content=InputTextMessageContent(
            render_inline(question, hit, texts), parse_mode=ParseMode.HTML
        ),
    )


def _inline_button(question: str, found: bool, texts: Texts) -> InlineQueryResultsButton | None:
    """Above the results: open the full answer in a private chat, or help when there is nothing."""
    if not question:
        return InlineQueryResultsButton(texts.inline_help, start_parameter="help")
    if not found:
        return InlineQueryResultsButton(texts.inline_no_answer, start_parameter="help")
    payload = start_payload(question)
    return InlineQueryResultsButton(texts.inline_open_chat, start_parameter=payload) if payload else None
