"""Small helpers every callback uses: the update's message and language, edits that tolerate
Telegram's "message is not modified", and button answers that tolerate "query is too old"."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import Texts, texts_for

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def message_of(update: Update) -> Message:
    message = update.effective_message
    assert message is not None, "registered only for updates with a message"
    return message


def texts_of(update: Update) -> Texts:
    """The interface language of whoever sent the update, guessed from their text when Telegram
    does not say."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message and not update.callback_query else ""
    return texts_for(update.effective_user.language_code if update.effective_user else None, text)


async def show_typing(message: Message) -> None:
    """Best effort: an answer matters more than the indicator, so its failure is only logged."""
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except TelegramError as exc:
        log.warning("could not show typing in chat %s: %s", message.chat.id, exc)


async def edit(
    context: Context, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit a message; an edit that changes nothing (a double tap, the same answer) is not an error."""
    try:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def answer_query(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Answer a button press (the notice the user sees, or just the end of the spinner).

    Telegram refuses answers after about 15 seconds ("query is too old"): a press handled late, as
    after a restart, still does its work, only without the notice.
    """
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        log.info("could not answer button press %s (%s); handling it anyway", query.id, exc.message)
