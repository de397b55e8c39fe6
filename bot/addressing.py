"""When a group message is meant for the bot, and which part of it is the question.

Under Telegram's group privacy mode (on by default) the bot receives commands, @mentions of itself and
replies to its own messages; an administrator bot receives all chatter as well. Only the first three
are questions, whatever the bot can see.
"""

from __future__ import annotations

import re

from telegram import Message
from telegram.ext import filters

_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?\s*(.*)", re.DOTALL)


def _mention(username: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)


def mentions(text: str, username: str) -> bool:
    """Whether `text` @mentions `username` (Telegram usernames are case-insensitive)."""
    return bool(username) and _mention(username).search(text) is not None


def without_mention(text: str, username: str) -> str:
    """The question in "@bot who denied the claims?": the text with the bot's @mentions removed."""
    if not username:
        return text.strip()
    return " ".join(_mention(username).sub(" ", text).split())


def without_mention_keeping_lines(text: str, username: str) -> str:
    """An article sent with "@bot" in it: the mention removed, its lines and paragraphs kept."""
    return (_mention(username).sub("", text) if username else text).strip()


def command_argument(text: str) -> str:
    """What follows the command in "/ask@bot who denied the claims?"."""
    match = _COMMAND.match(text.strip())
    return match[1].strip() if match else ""


class AddressedToBot(filters.MessageFilter):
    """A message that replies to the bot or @mentions it in its text or caption."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        return mentions(message.text or message.caption or "", bot.username)


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")
