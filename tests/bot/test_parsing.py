"""What an update means: group addressing, deep links, callback data, and the per-chat memory."""

from __future__ import annotations

import pytest

from bot.addressing import command_argument, mentions, without_mention, without_mention_keeping_lines
from bot.deeplink import question_from_payload, start_payload
from bot.i18n import ARABIC, ENGLISH
from bot.keyboards import (
    ArticlePress,
    ExamplePress,
    View,
    ViewPress,
    VotePress,
    answer_keyboard,
    examples_keyboard,
    parse_article_callback,
    parse_callback,
    sources_keyboard,
)
from bot.memory import new_key
from bot.sources import Link, Text, source_of_text
from tests.support.builders import lookup

BOT = "sanad_test_bot"


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("/ask Who denied the claims?", "Who denied the claims?"),
        ("/ask@sanad_test_bot  من نفى المزاعم؟ ", "من نفى المزاعم؟"),
        ("/ask\nline one\nline two", "line one\nline two"),
        ("/ask", ""),
        ("/ask@sanad_test_bot", ""),
    ],
)
def test_the_question_is_what_follows_the_command(text: str, question: str) -> None:
    assert command_argument(text) == question


@pytest.mark.parametrize(
    ("text", "addressed", "question"),
    [
        ("@sanad_test_bot who denied the claims?", True, "who denied the claims?"),
        ("who denied the claims, @Sanad_Test_Bot?", True, "who denied the claims, ?"),
        ("@sanad_test_bot", True, ""),
        ("@sanad_test_bot2 who?", False, "@sanad_test_bot2 who?"),
        ("mail me at me@sanad_test_bot", False, "mail me at me@sanad_test_bot"),
        ("just chatting", False, "just chatting"),
    ],
)
def test_a_group_message_is_for_the_bot_when_it_mentions_it(
    text: str, addressed: bool, question: str
) -> None:
    assert mentions(text, BOT) is addressed
    assert without_mention(text, BOT) == question


@pytest.mark.parametrize("question", ["Who denied the claims?", "من نفى المزاعم؟"])
def test_a_short_question_travels_in_a_start_link_and_back(question: str) -> None:
    payload = start_payload(question)
    assert payload is not None and payload.startswith("ask_") and len(payload) <= 64
    assert question_from_payload(payload) == question
    assert question_from_payload(payload.removeprefix("ask_")) == question  # a bare base64url question


def test_a_question_too_long_for_a_start_link_gets_none() -> None:
    assert start_payload("ماذا قال المتحدث باسم وزارة الخارجية الصينية عن المزاعم؟") is None


@pytest.mark.parametrize(
    "payload", ["help", "", "ask_", "ask_!!!", "ask_" + "_" * 20, "ask_AAECAw", "a" * 65]
)
def test_anything_else_in_a_start_link_is_not_a_question(payload: str) -> None:
    assert question_from_payload(payload) is None


@pytest.mark.parametrize(
    ("data", "press"),
    [
        ("a:AbCd-_12", ViewPress("answer", "AbCd-_12")),
        ("c:AbCd-_12", ViewPress("context", "AbCd-_12")),
        ("o:AbCd-_12", ViewPress("others", "AbCd-_12")),
        ("x:en:0", ExamplePress("en", 0)),
        ("x:ar:2", ExamplePress("ar", 2)),
        ("x:fr:1", ExamplePress("fr", 1)),
        ("c:AbCd-_1", None),  # a short key
        ("c:AbCd-_123", None),
        ("z:AbCd-_12", None),
        ("c:AbCd/_12", None),
        ("x:pt:0", None),  # a language the bot does not speak
        ("x:en:100", None),
        ("", None),
        (None, None),
    ],
)
def test_callback_data_is_parsed_strictly(data: str | None, press: object) -> None:
    assert parse_callback(data) == press


def test_an_example_press_names_a_real_example_or_nothing() -> None:
    assert ExamplePress("ar", 0).question == ARABIC.examples[0]
    assert ExamplePress("en", 99).question is None


def test_answer_buttons_lead_to_the_other_views_within_64_bytes() -> None:
    found = lookup([1, 0, 4, 2], shown=2)
    key = new_key()

    def labels(view: View) -> list[str]:
        markup = answer_keyboard(view, key, found, ENGLISH)
        assert markup is not None
        datas = [button.callback_data for row in markup.inline_keyboard for button in row]
        assert all(isinstance(d, str) and len(d.encode()) <= 64 and parse_callback(d) for d in datas)
        return [button.text for row in markup.inline_keyboard for button in row]

    assert labels("answer") == ["More context", "Other matches", "👍", "👎"]
    assert labels("context") == ["Back to answer", "Other matches", "👍", "👎"]
    assert labels("others") == ["Back to answer", "More context", "👍", "👎"]


def test_votes_name_the_answer_and_parse_back() -> None:
    key = new_key()
    markup = answer_keyboard("answer", key, lookup([1], shown=3), ENGLISH)
    assert markup is not None
    up, down = markup.inline_keyboard[-1]
    assert (parse_callback(up.callback_data), parse_callback(down.callback_data)) == (
        VotePress(1, key),
        VotePress(-1, key),
    )
    assert parse_callback(f"v:x:{key}") is None and parse_callback("v:u:short") is None


def test_an_answer_without_quotes_or_alternatives_gets_fewer_buttons() -> None:
    key = new_key()
    assert answer_keyboard("answer", key, lookup([]), ENGLISH) is None
    only_context = answer_keyboard("answer", key, lookup([1], shown=3), ARABIC)
    assert only_context is not None
    assert [b.text for row in only_context.inline_keyboard for b in row] == [ARABIC.more_context, "👍", "👎"]


def test_example_buttons_carry_their_language() -> None:
    markup = examples_keyboard(ARABIC)
    assert [row[0].text for row in markup.inline_keyboard] == list(ARABIC.examples)
    assert [row[0].callback_data for row in markup.inline_keyboard] == ["x:ar:0", "x:ar:1", "x:ar:2"]


@pytest.mark.parametrize(
    ("text", "bare_domains", "expected"),
    [
        ("https://example.com/story", False, Link("https://example.com/story")),
        ("  http://127.0.0.1:8080/a?b=c  ", False, Link("http://127.0.0.1:8080/a?b=c")),
        ("www.example.com/story", False, Link("https://www.example.com/story")),
        ("file:///etc/passwd", False, Link("file:///etc/passwd")),  # refused by the fetcher, with its reason
        ("example.com/story", True, Link("https://example.com/story")),
        ("example.com/story", False, Text("example.com/story", None)),
        ("Mr.Smith", False, Text("Mr.Smith", None)),
        ("see https://example.com/story", True, Text("see https://example.com/story", None)),
        (
            "قال الوزير إن المشروع سيبدأ.\n\nوأضاف أن الكلفة كبيرة.",
            True,
            Text("قال الوزير إن المشروع سيبدأ.\n\nوأضاف أن الكلفة كبيرة.", None),
        ),
    ],
)
def test_a_link_is_told_from_article_text(text: str, bare_domains: bool, expected: object) -> None:
    assert source_of_text(text, bare_domains=bare_domains) == expected


def test_an_article_keeps_its_lines_when_the_bots_mention_is_removed() -> None:
    assert without_mention_keeping_lines("@sanad_test_bot Headline\n\nFirst line.\nSecond.", BOT) == (
        "Headline\n\nFirst line.\nSecond."
    )


@pytest.mark.parametrize(
    ("data", "press"),
    [
        ("add", ArticlePress("add")),
        ("rm:12", ArticlePress("ask_remove", 12)),
        ("rmok:12", ArticlePress("remove", 12)),
        ("clrok", ArticlePress("clear")),
        ("keep", ArticlePress("keep")),
        ("rm:", None),
        ("rm:-1", None),
        ("rmok:12; DROP TABLE", None),
        ("addx", None),
        (None, None),
    ],
)
def test_library_buttons_carry_only_an_action_and_an_article_id(data: str | None, press: object) -> None:
    assert parse_article_callback(data) == press


def test_remove_buttons_are_numbered_as_the_list_and_keep_to_telegrams_limits() -> None:
    from tests.support.builders import document

    markup = sources_keyboard([document()] * 60, ENGLISH)
    assert markup is not None
    labels = [button.text for row in markup.inline_keyboard for button in row]
    assert labels[:2] == ["Remove 1", "Remove 2"] and len(labels) == 50
    assert all(len(row) <= 5 for row in markup.inline_keyboard)
    assert sources_keyboard([], ENGLISH) is None
