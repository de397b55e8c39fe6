"""The bot's own words in the reader's language, and the choice of that language.

Quotes always stay in the article's own words; only the bot's sentences are translated. Each language
is one module holding one `Texts`; `tests/bot/test_i18n.py` checks that every language fills the same
`{name}` fields as English.
"""

from __future__ import annotations

import re

from bot.i18n.arabic import ARABIC
from bot.i18n.english import ENGLISH
from bot.i18n.french import FRENCH
from bot.i18n.german import GERMAN
from bot.i18n.russian import RUSSIAN
from bot.i18n.spanish import SPANISH
from bot.i18n.texts import Language, Texts
from bot.i18n.turkish import TURKISH
from index import is_arabic_script

TEXTS: dict[Language, Texts] = {
    texts.language: texts for texts in (ENGLISH, ARABIC, FRENCH, SPANISH, GERMAN, RUSSIAN, TURKISH)
}

__all__ = ["ARABIC", "ENGLISH", "TEXTS", "Language", "Texts", "pick_language", "texts_for"]


def pick_language(language_code: str | None, text: str = "") -> Language:
    """The user's Telegram language when the bot speaks it; otherwise Arabic for an Arabic-script
    question and English for anything else (a question's script cannot tell French from English)."""
    base = re.split(r"[-_.]", language_code or "")[0].lower()  # "ar", "en-GB", or a locale "ar_EG.UTF-8"
    for language in TEXTS:
        if base == language:
            return language
    return "ar" if is_arabic_script(text) else "en"


def texts_for(language_code: str | None, text: str = "") -> Texts:
    """The interface strings for a user (see `pick_language`)."""
    return TEXTS[pick_language(language_code, text)]
