"""/start, /help, /sources and the command menu, in the reader's language."""

from __future__ import annotations

from bot.deeplink import start_payload
from bot.i18n import TEXTS
from index import Searcher
from lab.fake_telegram import Chat, User
from lab.harness import (
    ALICE,
    PRIVATE,
    SALMA,
    SALMA_CHAT,
    SPOKESMAN,
    buttons,
    entity_texts,
    next_reply,
    running_bot,
)

CAMILLE = User(id=507, first_name="Camille", language_code="fr-FR")
CAMILLE_CHAT = Chat(id=CAMILLE.id)
JONAS = User(id=508, first_name="Jonas", language_code="de")
JONAS_CHAT = Chat(id=JONAS.id)


async def test_start_welcomes_names_the_article_and_offers_example_questions(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "/start")
        welcome = await next_reply(fake, PRIVATE)
        examples = buttons(welcome)
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, welcome["message_id"], examples["Who denied the claims?"])
        answer = await next_reply(fake, PRIVATE, since=since)
    assert welcome["text"].startswith("👋 Sanad answers questions about news articles")
    assert "المملكة المتحدة وحلفاؤها" in welcome["text"]
    assert list(examples) == [
        "Who denied the claims?",
        "Which group hacked Microsoft Exchange?",
        "What did Dominic Raab say?",
    ]
    assert answer["reply_to_message"]["message_id"] == welcome["message_id"]
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_an_arabic_speaking_reader_is_welcomed_in_arabic_with_arabic_examples(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(SALMA_CHAT, SALMA, "/start")
        welcome = await next_reply(fake, SALMA_CHAT)
        example = next(iter(buttons(welcome).values()))
        since = len(fake.calls)
        fake.press_button(SALMA_CHAT, SALMA, welcome["message_id"], example)
        answer = await next_reply(fake, SALMA_CHAT, since=since)
    assert welcome["text"].startswith("👋 يجيب سند")
    assert next(iter(buttons(welcome))) == "ماذا قال المتحدث باسم وزارة الخارجية الصينية عن المزاعم؟"
    assert entity_texts(answer, "blockquote")[0].startswith(SPOKESMAN)


async def test_a_french_speaking_reader_gets_the_interface_in_french(searcher: Searcher) -> None:
    french = TEXTS["fr"]
    async with running_bot(searcher) as (fake, _):
        fake.send_text(CAMILLE_CHAT, CAMILLE, "/start")
        welcome = await next_reply(fake, CAMILLE_CHAT)
        since = len(fake.calls)
        fake.press_button(CAMILLE_CHAT, CAMILLE, welcome["message_id"], buttons(welcome)[french.examples[0]])
        answer = await next_reply(fake, CAMILLE_CHAT, since=since)
    assert welcome["text"].startswith(f"👋 {french.welcome}")
    assert list(buttons(welcome)) == list(french.examples)
    assert entity_texts(answer, "blockquote")  # the quotes stay in the article's own words
    assert french.more_context in buttons(answer)


async def test_a_german_speaking_reader_hears_not_in_the_article_in_german(searcher: Searcher) -> None:
    question = "Wer hat die Fußball-WM 2022 gewonnen?"
    async with running_bot(searcher) as (fake, _):
        fake.send_text(JONAS_CHAT, JONAS, question)
        reply = await next_reply(fake, JONAS_CHAT)
    assert reply["text"].startswith(TEXTS["de"].no_answer.format(question=question))


async def test_a_deep_link_start_answers_the_question_it_carries(searcher: Searcher) -> None:
    payload = start_payload("Who denied the claims?")
    async with running_bot(searcher) as (fake, _):
        question = fake.send_text(PRIVATE, ALICE, f"/start {payload}")
        answer = await next_reply(fake, PRIVATE)
    assert answer["reply_to_message"]["message_id"] == question
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_help_and_the_help_deep_link_explain_how_to_ask_everywhere(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "/help")
        help_text = await next_reply(fake, PRIVATE)
        fake.send_text(PRIVATE, ALICE, "/start help")
        from_link = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert help_text["text"] == from_link["text"]
    assert "In groups: /ask your question, mention @sanad_test_bot" in help_text["text"]
    assert "In any chat: type @sanad_test_bot and your question" in help_text["text"]


async def test_help_names_every_command_in_english_and_arabic(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "/help")
        english = await next_reply(fake, PRIVATE)
        fake.send_text(SALMA_CHAT, SALMA, "/help")
        arabic = await next_reply(fake, SALMA_CHAT)
    for command in ("/ask", "/add", "/sources", "/remove", "/clear", "/repair", "/shared", "/watch"):
        assert command in english["text"] and command in arabic["text"], command
    assert (
        "photo" in english["text"]
        and "👍" in english["text"]
        and "Reply to one of my answers" in english["text"]
    )
    assert "OCR" in arabic["text"] and "👍" in arabic["text"]


async def test_sources_in_a_new_chat_shows_how_to_add_and_the_shared_article(searcher: Searcher) -> None:
    [document] = searcher.library.documents()
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "/sources")
        sources = await next_reply(fake, PRIVATE)
    assert sources["text"].startswith("This chat's articles:\nThis chat has no articles of its own yet: /add")
    assert "Shared articles (every chat can ask about them):\n\n• المملكة المتحدة وحلفاؤها" in sources["text"]
    assert f"{document.sentence_count} sentences, added {document.added_at[:10]}" in sources["text"]
    assert "reply_markup" not in sources  # nothing of the chat's own to remove


async def test_commands_are_registered_in_every_interface_language(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        english = fake.commands_for()
        arabic = fake.commands_for(language_code="ar")
    commands = ["ask", "add", "sources", "remove", "clear", "repair", "shared", "watch", "help", "start"]
    assert [command["command"] for command in english] == commands
    assert [command["command"] for command in arabic] == commands
    assert english[0]["description"] == "Ask a question about the articles"
    assert arabic[0]["description"] == "اسأل سؤالًا عن المقالات"
    for language in set(TEXTS) - {"en"}:
        menu = fake.commands_for(language_code=language)
        assert [(c["command"], c["description"]) for c in menu] == list(TEXTS[language].commands)


async def test_an_unknown_command_in_private_points_to_help(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "/weather")
        reply = await next_reply(fake, PRIVATE)
    assert reply["text"] == "I don't know that command. /help shows what I can do."
