"""The interface speaks the reader's language: Telegram's language_code first, then the question's script."""

from __future__ import annotations

import dataclasses
import string
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
        ("fr", "Qui a nié ?", "fr"),
        ("fr-CA", "من نفى المزاعم؟", "fr"),
        ("de", "", "de"),
        ("es-419", "", "es"),
        ("ru", "", "ru"),
        ("tr", "", "tr"),
        ("pt-BR", "Quem negou?", "en"),  # a language the bot does not speak: the question's script decides
        ("pt-BR", "من نفى المزاعم؟", "ar"),
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


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_every_language_offers_the_same_commands_and_as_many_examples(language: str) -> None:
    texts = TEXTS[language]
    assert texts.language == language and texts.rtl == (language == "ar")
    assert [name for name, _ in texts.commands] == [name for name, _ in ENGLISH.commands]
    assert [code for code, _ in texts.statuses] == [code for code, _ in ENGLISH.statuses]
    assert len(texts.examples) == len(ENGLISH.examples)
    assert len(texts.help) == len(ENGLISH.help)
    assert all(len(description) <= 256 for _, description in texts.commands)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [s for item in value for s in _strings(item)] if isinstance(value, tuple) else []


def _placeholders(text: str) -> list[tuple[str, str]]:
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("language", sorted(set(TEXTS) - {"en"}))
def test_every_language_fills_the_same_fields_as_english(language: str) -> None:
    texts = TEXTS[language]
    for field in dataclasses.fields(ENGLISH):
        if field.name in ("language", "rtl"):
            continue
        english, translated = _strings(getattr(ENGLISH, field.name)), _strings(getattr(texts, field.name))
        assert len(translated) == len(english), field.name
        for ours, theirs in zip(english, translated, strict=True):
            assert _placeholders(theirs) == _placeholders(ours), (field.name, theirs)


@pytest.mark.parametrize("language", sorted(set(TEXTS) - {"en"}))
def test_every_language_translates_what_the_bot_says(language: str) -> None:
    texts = TEXTS[language]
    same = [
        field.name
        for field in dataclasses.fields(ENGLISH)
        if isinstance(getattr(ENGLISH, field.name), str)
        and field.name != "language"
        and getattr(texts, field.name) == getattr(ENGLISH, field.name)
    ]
    assert same == []


def test_every_arabic_string_starts_with_an_arabic_letter() -> None:
    for field in dataclasses.fields(ARABIC):
        value = getattr(ARABIC, field.name)
        strings = value if isinstance(value, tuple) else (value,)
        for text in strings:
            # `sentence_count` is a number put inside sentences ("عدد الجمل 7"), never a line's start.
            if isinstance(text, str) and field.name not in ("language", "sentence_count"):
                first = next(c for c in text if unicodedata.bidirectional(c) in ("L", "R", "AL", "EN", "AN"))
                assert unicodedata.bidirectional(first) == "AL", (field.name, text)
