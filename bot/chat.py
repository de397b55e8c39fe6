"""`sanad chat`: the bot's answers in a terminal, through the same lookup and rendering as in Telegram.

The Telegram HTML becomes plain lines; quotes are indented, and right-to-left lines are wrapped and
reordered for terminals that print characters in storage order (`index.terminal.for_terminal`).
The bot's reading commands work here too: /help, /sources, /start; /quit (or Ctrl-D) ends the chat.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from bot.i18n import Texts, texts_for
from bot.lookup import Librarian
from bot.render import (
    plain_lines,
    render_answer,
    render_help,
    render_notice,
    render_refusal,
    render_sources,
    render_welcome,
)
from index import ChatLibraryError, InputError
from index.terminal import for_terminal

QUOTE_INDENT = "   │ "
QUIT = frozenset({"/quit", "/exit", "/q"})


def chat(librarian: Librarian, *, chat_id: int | None = None, stream: TextIO | None = None) -> int:
    """Answer questions typed at the prompt until end of input (Ctrl-D), from the shared library and
    `chat_id`'s own."""
    stream = stream or sys.stdout
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG")  # the terminal's Telegram language_code
    texts = texts_for(locale)
    print(for_display(render_welcome(librarian.documents(chat_id), texts), stream), file=stream)
    for example in texts.examples:
        print(for_terminal(f"  • {example}", stream=stream), file=stream)
    print(file=stream)
    while True:
        try:
            question = input("? ")
        except EOFError:
            print(file=stream)
            return 0
        if not question.strip():
            continue
        if question.strip().split()[0].lower() in QUIT:
            return 0
        texts = texts_for(locale, question)
        if question.lstrip().startswith("/"):
            messages = command(question.split()[0].lower(), librarian, chat_id, texts_for(locale))
        else:
            try:
                messages = render_answer(librarian.ask(question, chat_id=chat_id), texts)
            except InputError:
                messages = [render_refusal(question, texts)]
        for message in messages:
            print(for_display(message, stream) + "\n", file=stream)


def command(name: str, librarian: Librarian, chat_id: int | None, texts: Texts) -> list[str]:
    """What the bot's reading commands show, as messages: /help, /sources, /start (or "unknown")."""
    if name == "/help":
        return [render_help(texts, mention="@yourbot")]
    if name == "/sources":
        try:
            own = librarian.chat_documents(chat_id) if chat_id is not None else []
        except ChatLibraryError:
            return render_sources([], librarian.shared_documents(), texts, damaged=chat_id)
        return render_sources(own, librarian.shared_documents(), texts)
    if name == "/start":
        return [render_welcome(librarian.documents(chat_id), texts)]
    return [render_notice(texts.unknown_command, texts)]


def for_display(html_text: str, stream: TextIO) -> str:
    """A message rendered for Telegram, as terminal lines."""
    lines = []
    for text, quoted in plain_lines(html_text):
        lines.append(for_terminal(text, indent=QUOTE_INDENT if quoted else "", stream=stream) if text else "")
    return "\n".join(lines)
