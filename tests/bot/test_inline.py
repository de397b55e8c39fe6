"""Inline mode: "@sanad_test_bot question" in any chat offers quotes to share."""

from __future__ import annotations

from bot.deeplink import question_from_payload
from index import Searcher
from lab.fake_telegram import parse_html
from lab.harness import ALICE, NO_ANSWER_AR, SALMA, SPOKESMAN, running_bot


async def test_an_inline_question_offers_quotes_including_the_spokesman(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.inline_query(ALICE, "Who denied the claims?")
        call = await fake.wait_for("answerInlineQuery")
    assert call.ok
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert all(result["type"] == "article" for result in results)
    messages = [parse_html(result["input_message_content"]["message_text"])[0] for result in results]
    assert any(SPOKESMAN in message for message in messages[:3])
    assert all(message.startswith("❓ Who denied the claims?") for message in messages)
    assert all("paragraph" in result["description"] for result in results)
    assert call.params["is_personal"] is True
    assert call.params["cache_time"] == 10
    assert question_from_payload(call.params["button"]["start_parameter"]) == "Who denied the claims?"


async def test_html_in_an_inline_question_is_shared_as_text(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.inline_query(ALICE, "<b>Who</b> denied & the <script>claims</script>?")
        call = await fake.wait_for("answerInlineQuery")
    assert call.ok
    for result in call.params["results"]:
        shown, _ = parse_html(result["input_message_content"]["message_text"])
        assert shown.startswith("❓ <b>Who</b> denied & the <script>claims</script>?")


async def test_an_empty_inline_query_offers_help_and_no_results(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.inline_query(ALICE, "")
        call = await fake.wait_for("answerInlineQuery")
    assert call.ok
    assert call.params["results"] == []
    assert call.params["button"] == {"text": "Type a question about the article", "start_parameter": "help"}


async def test_an_inline_question_the_article_does_not_answer_offers_no_quote(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.inline_query(SALMA, NO_ANSWER_AR)
        call = await fake.wait_for("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == "ليس في المقال. اضغط للمساعدة"


async def test_an_arabic_speaking_user_gets_inline_results_described_in_arabic(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.inline_query(SALMA, "هل نفت الصين الاتهامات؟")
        call = await fake.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert results and all(result["description"].startswith("الفقرة") for result in results)
    assert SPOKESMAN in results[0]["input_message_content"]["message_text"]
