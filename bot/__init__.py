"""Sanad's Telegram bot: questions in, the articles' own sentences out.

    settings = BotSettings.from_env()
    application = build_application(settings, index.open_shelf(settings.index))
    serve(application, settings)            # long polling until SIGINT or SIGTERM

Names load on first use, so that `sanad --help` and the index commands do not import
python-telegram-bot.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import build_application, serve
    from bot.lookup import Librarian, Lookup
    from bot.render import render_answer
    from bot.settings import BotSettings, BotSettingsError, WebhookSettings

_HOMES = {
    "BotSettings": "bot.settings",
    "BotSettingsError": "bot.settings",
    "Librarian": "bot.lookup",
    "Lookup": "bot.lookup",
    "WebhookSettings": "bot.settings",
    "build_application": "bot.app",
    "render_answer": "bot.render",
    "serve": "bot.app",
}

__all__ = [
    "BotSettings",
    "BotSettingsError",
    "Librarian",
    "Lookup",
    "WebhookSettings",
    "build_application",
    "render_answer",
    "serve",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
