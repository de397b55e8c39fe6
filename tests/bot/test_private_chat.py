"""A reader asks the bot in a private chat, end to end: the real application, over HTTP, against the
fake Bot API server, with the real model and the seed article."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_application
from index import Searcher, Shelf
from lab.fake_telegram import FakeTelegram
from lab.harness import (
    ALICE,
    BOT,
    NO_ANSWER_EN,
    PEDRO,
    PEDRO_CHAT,
    PRIVATE,
    RAAB,
    SALMA,
    SALMA_CHAT,
    SPOKESMAN,
    TOKEN,
    JSONDict,
    buttons,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    serving,
    settings_for,
)


async def test_who_denied_the_claims_gets_a_reply_quoting_the_spokesman(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        question = fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)
    quotes = entity_texts(answer, "blockquote")
    assert len(quotes) == 3
    assert any(quote.startswith(SPOKESMAN) for quote in quotes)
    assert answer["reply_to_message"]["message_id"] == question
    assert re.search(r"paragraph 7 of \d+", answer["text"])
    assert "المملكة المتحدة وحلفاؤها" in answer["text"]  # the article's title
    assert list(buttons(answer)) == ["More context", "Other matches", "👍", "👎"]
    typing = calls(fake, "sendChatAction")
    assert [call.params["action"] for call in typing] == ["typing"]


async def test_quotes_are_the_articles_exact_sentences(searcher: Searcher) -> None:
    question = "ماذا قال المتحدث باسم وزارة الخارجية الصينية عن المزاعم؟"
    expected = searcher.ask(question, k=3)
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, question)
        answer = await next_reply(fake, PRIVATE)
    assert entity_texts(answer, "blockquote") == [hit.text for hit in expected.hits]
    assert entity_texts(answer, "blockquote")[0].startswith(SPOKESMAN)


async def test_a_question_the_article_does_not_answer_gets_no_random_sentence(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, NO_ANSWER_EN)
        answer = await next_reply(fake, PRIVATE)
    assert answer["text"].startswith("Not in the article")
    assert NO_ANSWER_EN in answer["text"]
    assert "/sources" in answer["text"]
    assert entity_texts(answer, "blockquote") == []
    assert "reply_markup" not in answer


async def test_more_context_and_other_matches_edit_the_answer_and_back_restores_it(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)

        async def press(message: JSONDict, label: str) -> JSONDict:
            since = len(fake.calls)
            fake.press_button(PRIVATE, ALICE, answer["message_id"], buttons(message)[label])
            return await next_reply(fake, PRIVATE, since=since, method="editMessageText")

        context = await press(answer, "More context")
        back = await press(context, "Back to answer")
        others = await press(back, "Other matches")
    best_quote = entity_texts(answer, "blockquote")[0]
    assert context["message_id"] == answer["message_id"]
    assert context["text"].startswith("Around the best quote:")
    assert entity_texts(context, "bold")[-1] == best_quote  # the quote, among its neighbours
    assert len(entity_texts(context, "blockquote")) >= 2
    assert list(buttons(context)) == ["Back to answer", "Other matches", "👍", "👎"]
    assert (back["text"], back["entities"], buttons(back)) == (
        answer["text"],
        answer["entities"],
        buttons(answer),
    )
    assert others["text"].startswith("Other matches:")
    assert not set(entity_texts(others, "blockquote")) & set(entity_texts(answer, "blockquote"))
    assert list(buttons(others)) == ["Back to answer", "More context", "👍", "👎"]
    assert [call.ok for call in calls(fake, "answerCallbackQuery")] == [True, True, True]
    assert len(calls(fake, "sendMessage")) == 1  # every view edited the one answer


async def test_forged_button_data_gets_a_short_notice_and_changes_nothing(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, application):
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)
        # What a modified client could send: data the bot never put on a button.
        forged = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("a", callback_data="c:AAAAAAAA"),
                    InlineKeyboardButton("b", callback_data="rm -rf /"),
                ]
            ]
        )
        await application.bot.edit_message_reply_markup(PRIVATE.id, answer["message_id"], reply_markup=forged)
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, answer["message_id"], "c:AAAAAAAA")
        unknown = await fake.wait_for("answerCallbackQuery", since=since)
        fake.press_button(PRIVATE, ALICE, answer["message_id"], "rm -rf /")
        invalid = await fake.wait_for("answerCallbackQuery", since=len(fake.calls))
    assert unknown.params["text"] == "This button no longer applies."
    assert invalid.params["text"] == "This button no longer applies."
    assert calls(fake, "editMessageText", since=since) == []


async def test_after_a_restart_old_buttons_work_and_edited_questions_update_their_answer(
    searcher: Searcher, tmp_path: Path
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        async with serving(build_application(settings_for(fake), Shelf(searcher, tmp_path))):
            question = fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
            answer = await next_reply(fake, PRIVATE)
        async with serving(build_application(settings_for(fake), Shelf(searcher, tmp_path))):
            since = len(fake.calls)
            fake.press_button(PRIVATE, ALICE, answer["message_id"], buttons(answer)["More context"])
            context = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
            fake.press_button(PRIVATE, ALICE, answer["message_id"], buttons(context)["Back to answer"])
            back = await next_reply(fake, PRIVATE, since=len(fake.calls), method="editMessageText")
            fake.edit_text(PRIVATE, ALICE, question, "What did Dominic Raab say?")
            edited = await next_reply(fake, PRIVATE, since=len(fake.calls), method="editMessageText")
    assert context["message_id"] == answer["message_id"] and "More context" not in buttons(context)
    assert back["text"] == answer["text"] and buttons(back) == buttons(answer)
    assert edited["message_id"] == answer["message_id"]
    assert RAAB in edited["text"]


async def test_an_edited_question_updates_its_answer_in_place(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        question = fake.send_text(PRIVATE, ALICE, "What did Dominic Raab say?")
        first = await next_reply(fake, PRIVATE)
        since = len(fake.calls)
        fake.edit_text(PRIVATE, ALICE, question, "Who denied the claims?")
        edited = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
    assert RAAB in first["text"] and SPOKESMAN not in first["text"]
    assert edited["message_id"] == first["message_id"]
    assert SPOKESMAN in edited["text"]
    assert len(calls(fake, "sendMessage")) == 1
    assert [message["text"] for message in fake.messages_in(PRIVATE.id)] == [edited["text"]]


async def test_stickers_get_a_hint_in_the_users_language(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_sticker(PRIVATE, ALICE)
        sticker_hint = await next_reply(fake, PRIVATE)
        fake.send_sticker(SALMA_CHAT, SALMA)
        arabic_hint = await next_reply(fake, SALMA_CHAT)
    assert sticker_hint["text"].startswith("I can only read questions written as text")
    assert arabic_hint["text"].startswith("أقرأ الأسئلة المكتوبة نصًا فقط")


async def test_html_in_a_question_is_treated_as_text(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "<b>Who</b> denied & the <script>claims</script>?")
        answer = await next_reply(fake, PRIVATE)
    assert len(entity_texts(answer, "blockquote")) == 3


async def test_questions_without_letters_or_over_1000_characters_are_refused_politely(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "??? !!!")
        no_letters = await next_reply(fake, PRIVATE)
        fake.send_text(PRIVATE, ALICE, "/ask " + "why " * 300)  # long text alone is offered as an article
        too_long = await next_reply(fake, PRIVATE, since=len(fake.calls))
        fake.send_text(SALMA_CHAT, SALMA, "؟؟؟")
        arabic = await next_reply(fake, SALMA_CHAT)
    assert no_letters["text"] == "Ask a question in words, for example: Who denied the claims?"
    assert too_long["text"] == "That question is 1,199 characters long; please ask in under 1,000."
    assert arabic["text"].startswith("اكتب سؤالك بالكلمات")


async def test_an_arabic_speaking_reader_gets_the_interface_in_arabic_and_the_quotes_unchanged(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(SALMA_CHAT, SALMA, "Who denied the claims?")
        answer = await next_reply(fake, SALMA_CHAT)
    assert re.search(r"الفقرة 7 من \d+", answer["text"])
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))
    assert list(buttons(answer)) == ["سياق أوسع", "نتائج أخرى", "👍", "👎"]
    for line in filter(str.strip, answer["text"].split("\n")):
        first = next(c for c in line if unicodedata.bidirectional(c) in ("L", "R", "AL", "EN", "AN"))
        assert unicodedata.bidirectional(first) in ("R", "AL"), line


async def test_without_a_language_the_bot_speaks_the_interface_in_the_questions_script(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PEDRO_CHAT, PEDRO, "هل نفت الصين الاتهامات؟")
        arabic = await next_reply(fake, PEDRO_CHAT)
        fake.send_text(PEDRO_CHAT, PEDRO, "Who accused China?")
        latin = await next_reply(fake, PEDRO_CHAT, since=len(fake.calls))
    assert "الفقرة" in arabic["text"] and "paragraph" not in arabic["text"]
    assert "paragraph" in latin["text"]


async def test_an_edited_question_whose_answer_was_deleted_gets_a_new_answer(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, application):
        question = fake.send_text(PRIVATE, ALICE, "What did Dominic Raab say?")
        first = await next_reply(fake, PRIVATE)
        await application.bot.delete_message(PRIVATE.id, first["message_id"])  # the reader deleted it
        since = len(fake.calls)
        fake.edit_text(PRIVATE, ALICE, question, "Who denied the claims?")
        fresh = await next_reply(fake, PRIVATE, since=since)
    assert fresh["reply_to_message"]["message_id"] == question
    assert SPOKESMAN in fresh["text"]
