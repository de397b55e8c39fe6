"""The interface speaks the reader's language: Telegram's language_code first, then the question's script."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from bot.i18n import ARABIC, ENGLISH, TEXTS, pick_language


@pytest.mark.parametrize(
    ("language_code", "text", "expected"),
    [
        ("ar", "Who denied the claims?", "ar"),
        ("ar-SA", "", "ar"),
        ("en", "من نفى المزاعم؟", "en"),
        ("en-GB", "", "en"),
        ("fr", "Qui a nié ?", "en"),
        ("fr", "من نفى المزاعم؟", "ar"),
        (None, "من نفى المزاعم؟", "ar"),
        (None, "Who said it, and what is هافنيوم?", "en"),
        (None, "", "en"),
        ("ar_EG.UTF-8", "", "ar"),  # a terminal's locale, for `sanad chat`
    ],
)
def test_the_interface_language_follows_telegram_then_the_question(
    language_code: str | None, text: str, expected: str
) -> None:
    assert pick_language(language_code, text) == expected


def test_both_languages_offer_the_same_commands_and_as_many_examples() -> None:
    assert [name for name, _ in ARABIC.commands] == [name for name, _ in ENGLISH.commands]
    assert len(ARABIC.examples) == len(ENGLISH.examples)
    assert len(ARABIC.help) == len(ENGLISH.help)
    assert all(len(description) <= 256 for texts in TEXTS.values() for _, description in texts.commands)


def test_every_arabic_string_starts_with_an_arabic_letter() -> None:
    for field in dataclasses.fields(ARABIC):
        value = getattr(ARABIC, field.name)
        strings = value if isinstance(value, tuple) else (value,)
        for text in strings:
            # `sentence_count` is a number put inside sentences ("عدد الجمل 7"), never a line's start.
            if isinstance(text, str) and field.name not in ("language", "sentence_count"):
                first = next(c for c in text if unicodedata.bidirectional(c) in ("L", "R", "AL", "EN", "AN"))
                assert unicodedata.bidirectional(first) == "AL", (field.name, text)
