"""What the bot remembers about the messages it sent, so that their buttons work after a restart,
and each chat's choices (whether it searches the shared articles, whether it is watched).

Every view of an answer (the answer, more context, other matches) is stored as it was rendered when
the answer was sent, so a button shows exactly what was found then, whichever process serves it. And
every button the bot puts on a message is stored with the message and the user it was meant for: a
press is honoured only when that very button is on that very message now (see `Memory.button`), so
forged, stale or replayed callback data changes nothing. The storage is bot/state.py; this is its
asynchronous face for the handlers.
"""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.state import Adding, BotState, Button, Remembered, View

KEY_BYTES = 6  # random bytes in a key: 8 characters of callback data, unguessable


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def view_of(text: str, markup: InlineKeyboardMarkup | None) -> View:
    """A view to store: its text and its buttons as (label, callback data)."""
    rows = markup.inline_keyboard if markup else ()
    return View(text, tuple(tuple((b.text, b.callback_data or "") for b in row) for row in rows))


def markup_of(view: View) -> InlineKeyboardMarkup | None:
    """The keyboard of a stored view, ready to send again."""
    rows = [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in view.buttons]
    return InlineKeyboardMarkup(rows) if rows else None


def buttons_on(
    chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None, user_id: int | None = None
) -> list[Button]:
    """The callback buttons of `markup` on that message, for `user_id` alone (None: anyone there)."""
    rows = markup.inline_keyboard if markup else ()
    return [
        Button(chat_id, message_id, str(button.callback_data), user_id)
        for row in rows
        for button in row
        if button.callback_data is not None
    ]


class Memory:
    """The bot's memory of answers, buttons and adds in progress, over its state file."""

    def __init__(self, state: BotState) -> None:
        self.state = state

    # ---------------------------------------------------------------- answers

    async def remember_answer(
        self, chat_id: int, answer: Remembered, *, question_id: int | None, update_id: int | None = None
    ) -> None:
        """Store an answer's views (the buttons of its "answer" view are on its last message), and
        mark `update_id`, the update it answers, done with it."""
        markup = markup_of(answer.views["answer"]) if "answer" in answer.views else None
        buttons = buttons_on(chat_id, answer.message_ids[-1], markup)
        await self.state.record_sent(
            self.state.remember_answer,
            chat_id,
            answer,
            question_id=question_id,
            buttons=buttons,
            update_id=update_id,
        )

    async def answer(self, chat_id: int, key: str) -> Remembered | None:
        return await self.state.run(self.state.answer, chat_id, key)

    async def answer_to(self, chat_id: int, question_id: int) -> Remembered | None:
        """The answer the question in message `question_id` got, when it is still remembered."""
        return await self.state.run(self.state.answer_to, chat_id, question_id)

    async def answer_in(self, chat_id: int, message_id: int) -> Remembered | None:
        """The answer the bot's message `message_id` shows, when it is still remembered."""
        return await self.state.run(self.state.answer_in, chat_id, message_id)

    # ---------------------------------------------------------------- buttons

    async def shows(
        self,
        chat_id: int,
        message_id: int,
        markup: InlineKeyboardMarkup | None,
        *,
        user_id: int | None = None,
        answer_key: str | None = None,
    ) -> None:
        """Record the buttons now on a message the bot sent or edited (`user_id`: only they may press)."""
        buttons = buttons_on(chat_id, message_id, markup, user_id)
        await self.state.record_sent(
            self.state.set_buttons, chat_id, message_id, buttons, answer_key=answer_key
        )

    async def button(self, chat_id: int, message_id: int, data: str) -> Button | None:
        """The button a press names, when the bot put it on that message and it is still there."""
        return await self.state.run(self.state.button, chat_id, message_id, data)

    # ---------------------------------------------------------------- the chat's choices

    async def searches_shared(self, chat_id: int) -> bool:
        return await self.state.run(self.state.searches_shared, chat_id)

    async def set_shared(self, chat_id: int, on: bool) -> None:
        await self.state.run(self.state.set_shared, chat_id, on)

    async def watches(self, chat_id: int) -> bool:
        return await self.state.run(self.state.watches, chat_id)

    async def set_watch(self, chat_id: int, on: bool) -> None:
        await self.state.run(self.state.set_watch, chat_id, on)

    # ---------------------------------------------------------------- offers of joined messages

    async def set_offer(self, chat_id: int, message_id: int, text: str, origin: str | None = None) -> None:
        await self.state.run(self.state.set_offer, chat_id, message_id, text, origin)

    async def offer(self, chat_id: int, message_id: int) -> tuple[str, str | None] | None:
        return await self.state.run(self.state.offer, chat_id, message_id)

    # ---------------------------------------------------------------- adds in progress

    async def start_add(self, adding: Adding) -> None:
        await self.state.run(self.state.start_add, adding)

    async def add_of(self, update_id: int) -> Adding | None:
        return await self.state.run(self.state.add_of, update_id)

    async def end_add(self, update_id: int) -> None:
        await self.state.run(self.state.end_add, update_id)

    async def orphaned_adds(self) -> list[Adding]:
        return await self.state.run(self.state.orphaned_adds)
