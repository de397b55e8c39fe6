"""The newsroom moves, through the fake Bot API with the real application and real libraries: a
follow-up question in reply to an answer, votes on answers, photos read by OCR, forwarded channel
posts in a row, and watched channels and groups."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import Searcher, Shelf, ocr_available
from lab.fake_telegram import Chat, FakeTelegram, JSONDict, User
from lab.harness import (
    ALICE,
    BOB,
    GROUP,
    PRIVATE,
    SPOKESMAN,
    buttons,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    wait_until,
)
from tests.bot.test_articles import SITE_ENV, final_status
from tests.support.article_files import HARBOUR
from tests.support.news_site import EN_COST, EN_TITLE, NewsSite

SCANS = Path(__file__).parents[1] / "fixtures" / "scans"
CHANNEL = Chat(id=-1001234, type="channel", title="Wire desk")
HARBOUR_TEXT = "\n\n".join(HARBOUR)
needs_tesseract = pytest.mark.skipif(
    not ocr_available(), reason="Tesseract is not installed: apt install tesseract-ocr tesseract-ocr-ara"
)


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


async def offer_and_add(fake: FakeTelegram, chat: Chat, user: User, offered: int) -> str:
    """Press "Add to library" on the offer that replies to message `offered`; the add's outcome."""
    offer = await fake.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.ok
            and c.params.get("chat_id") == chat.id
            and c.response["result"].get("reply_to_message", {}).get("message_id") == offered
        )
    )
    message = offer.response["result"]
    since = len(fake.calls)
    fake.press_button(chat, user, message["message_id"], buttons(message)["Add to library"])
    return str((await final_status(fake, chat, since))["text"])


async def reply_to(fake: FakeTelegram, chat: Chat, user: User, text: str, message_id: int) -> JSONDict:
    since = len(fake.calls)
    fake.send_text(chat, user, text, reply_to=message_id)
    return await next_reply(fake, chat, since=since)


# ------------------------------------------------------------------------------ follow-up questions


async def test_a_question_in_reply_to_an_answer_asks_about_that_answers_article(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        pasted = fake.send_text(
            PRIVATE, ALICE, HARBOUR_TEXT + "\n\n" + HARBOUR_TEXT.replace("harbour", "port")
        )
        assert (await offer_and_add(fake, PRIVATE, ALICE, pasted)).startswith("✅ Added")
        since = len(fake.calls)
        fake.send_text(PRIVATE, ALICE, "When did the harbour reopen to fishing boats?")
        answer = await next_reply(fake, PRIVATE, since=since)
        # Alone, this question finds the shared article's spokesman; in reply, only the harbour story.
        follow_up = await reply_to(fake, PRIVATE, ALICE, "Who denied the claims?", answer["message_id"])
        alone = await reply_to(fake, PRIVATE, ALICE, "Who denied the claims?", pasted)
    assert HARBOUR[0] in answer["text"]
    assert follow_up["text"].startswith(f"About “{HARBOUR[0]}”")
    assert not any(SPOKESMAN in quote for quote in entity_texts(follow_up, "blockquote"))
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(alone, "blockquote"))


async def test_a_reply_to_an_answer_in_a_group_is_asked_of_its_article(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        since = len(fake.calls)
        fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
        answer = await next_reply(fake, GROUP, since=since)
        follow_up = await reply_to(fake, GROUP, BOB, "What did Dominic Raab say?", answer["message_id"])
    title = "المملكة المتحدة وحلفاؤها"
    assert follow_up["text"].startswith("About “") and title in follow_up["text"].split("\n")[0]
    assert entity_texts(follow_up, "blockquote")


# ------------------------------------------------------------------------------ votes


async def test_votes_are_kept_in_the_chats_own_library_and_a_second_vote_replaces_the_first(
    searcher: Searcher, tmp_path: Path
) -> None:
    async with running_bot(searcher, chats=tmp_path) as (fake, _):
        since = len(fake.calls)
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE, since=since)
        keys = buttons(answer)
        fake.press_button(PRIVATE, ALICE, answer["message_id"], keys["👍"])
        await wait_until(lambda: len(calls(fake, "answerCallbackQuery")) == 1, timeout=10)
        fake.press_button(PRIVATE, ALICE, answer["message_id"], keys["👎"])
        await wait_until(lambda: len(calls(fake, "answerCallbackQuery")) == 2, timeout=10)
    toasts = [call.params.get("text") for call in calls(fake, "answerCallbackQuery")]
    assert toasts == ["Thanks: your vote is noted.", "Your vote is changed."]
    with Shelf(searcher, tmp_path) as shelf:
        [vote] = shelf.votes(PRIVATE.id)
        assert shelf.votes(BOB.id) == []  # another chat sees none of them
    assert (vote.vote, vote.question, vote.language) == (-1, "Who denied the claims?", "en")
    assert [quote.text for quote in vote.quotes] == entity_texts(answer, "blockquote")
    assert str(ALICE.id) not in vote.voter  # a pseudonym, not the user's id


# ------------------------------------------------------------------------------ photos


@needs_tesseract
async def test_a_photo_of_a_page_is_offered_read_by_ocr_and_its_quotes_say_so(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        photo = fake.send_photo(PRIVATE, ALICE, data=(SCANS / "water-plan-en.jpg").read_bytes())
        offer = await next_reply(fake, PRIVATE)
        added = await offer_and_add(fake, PRIVATE, ALICE, photo)
        since = len(fake.calls)
        fake.send_text(PRIVATE, ALICE, "How much will the work on the water pipes cost?")
        answer = await next_reply(fake, PRIVATE, since=since)
    assert offer["text"] == "Read the text in this photo (OCR) and add it to this chat's library?"
    assert added.startswith("✅ Added to this chat's library: City council approves new water plan")
    assert any(
        quote.startswith("The work will cost 42 million") for quote in entity_texts(answer, "blockquote")
    )
    assert "read from a photo by OCR: check against the original" in answer["text"]


@needs_tesseract
async def test_a_scanned_pdf_sent_as_a_file_is_read_by_ocr(searcher: Searcher) -> None:
    scan = (SCANS / "hospital-ar-scan.pdf").read_bytes()
    async with running_bot(searcher) as (fake, _):
        sent = fake.send_document(PRIVATE, ALICE, "بيان.pdf", scan, mime_type="application/pdf")
        added = await offer_and_add(fake, PRIVATE, ALICE, sent)
        since = len(fake.calls)
        fake.send_text(PRIVATE, ALICE, "كم بلغت تكلفة المشروع؟")
        answer = await next_reply(fake, PRIVATE, since=since)
    assert added.startswith("✅ Added to this chat's library: وزارة الصحة تفتتح مستشفى جديدا في الجنوب")
    assert entity_texts(answer, "blockquote")[0].startswith("وبلغت تكلفة المشروع")
    assert "read from a photo by OCR" in answer["text"]


async def test_without_tesseract_a_photo_gets_a_clear_message(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/nonexistent")
    async with running_bot(searcher) as (fake, _):
        fake.send_photo(PRIVATE, ALICE, data=b"\xff\xd8 not really a photo")
        reply = await next_reply(fake, PRIVATE)
    assert "OCR is not installed on this server" in reply["text"]


# ------------------------------------------------------------------------------ forwarded posts


async def test_consecutive_posts_of_one_channel_forwarded_together_are_one_article(
    searcher: Searcher,
) -> None:
    first, second = HARBOUR_TEXT[:200], HARBOUR_TEXT[200:]
    async with running_bot(searcher) as (fake, _):
        opening = fake.send_text(PRIVATE, ALICE, first, forwarded_from=CHANNEL, forwarded_post=41)
        fake.send_text(PRIVATE, ALICE, second, forwarded_from=CHANNEL, forwarded_post=42)
        edited = await next_reply(fake, PRIVATE, method="editMessageText")
        added = await offer_and_add(fake, PRIVATE, ALICE, opening)
        elsewhere = fake.send_text(
            PRIVATE,
            ALICE,
            "Another story entirely, from post 50. " * 3,
            forwarded_from=CHANNEL,
            forwarded_post=50,
        )
        await fake.wait_for(
            lambda c: (
                c.method == "sendMessage"
                and c.response.get("result", {}).get("reply_to_message", {}).get("message_id") == elsewhere
            )
        )
    offers = [c for c in calls(fake, "sendMessage") if "looks like an article" in c.params["text"]]
    assert len(offers) == 2  # posts 41 and 42 share one offer; post 50 has its own
    assert "sent in 2 messages" in edited["text"]
    assert added.startswith("✅ Added") and "(3 sentences)" in added  # the headline, then three


# ------------------------------------------------------------------------------ watching


async def test_a_watched_channel_adds_each_linked_article_with_a_reaction_and_reports_failures_once(
    searcher: Searcher, site: NewsSite, tmp_path: Path
) -> None:
    async with running_bot(searcher, chats=tmp_path, **SITE_ENV) as (fake, _):
        fake.set_admins(CHANNEL, bot=True)
        fake.post_in_channel(CHANNEL, "/watch on")
        turned_on = await next_reply(fake, CHANNEL)
        story = fake.post_in_channel(CHANNEL, f"Council news: {site.url('/en/bridge')} (via t.me/desk)")
        await wait_until(lambda: (CHANNEL.id, story) in fake.reactions, timeout=60)
        dead = [fake.post_in_channel(CHANNEL, f"Read {site.url(f'/missing/{n}')}") for n in range(2)]
        await wait_until(lambda: all((CHANNEL.id, post) in fake.reactions for post in dead), timeout=60)
        chatter = fake.post_in_channel(CHANNEL, "Good morning, desk!")
        since = len(fake.calls)
        fake.post_in_channel(CHANNEL, "/watch off")
        turned_off = await next_reply(fake, CHANNEL, since=since)
    assert turned_on["text"].startswith("Watching this chat")
    assert fake.reactions[(CHANNEL.id, story)] == ["👌"]
    assert [fake.reactions[(CHANNEL.id, post)] for post in dead] == [["🤷"], ["🤷"]]
    assert (CHANNEL.id, chatter) not in fake.reactions  # nothing to add: left alone
    reports = [c for c in calls(fake, "sendMessage") if "Could not add this post" in c.params["text"]]
    assert len(reports) == 1 and "404" in reports[0].params["text"]  # once, however many fail
    assert reports[0].params["disable_notification"] is True
    assert turned_off["text"].startswith("Stopped watching")
    with Shelf(searcher, tmp_path) as shelf:
        assert [document.title for document in shelf.documents(CHANNEL.id)] == [EN_TITLE]
        answer = shelf.ask("How much will the bridge cost?", chat_id=CHANNEL.id, shared=False)
        assert answer.hits[0].text.startswith(EN_COST)


async def test_watching_a_group_needs_the_bot_to_be_an_admin_there_and_keeps_to_its_hourly_budget(
    searcher: Searcher,
) -> None:
    group = Chat(id=-100888, type="supergroup", title="Desk")
    forwarded_from = Chat(id=-1005555, type="channel", title="Agency wire")
    async with running_bot(searcher, SANAD_WATCH_PER_HOUR="1") as (fake, application):
        fake.set_admins(group, ALICE)
        since = len(fake.calls)
        fake.send_text(group, ALICE, "/watch on")
        refused = await next_reply(fake, group, since=since)
        fake.set_admins(group, ALICE, bot=True)
        since = len(fake.calls)
        fake.send_text(group, ALICE, "/watch on")
        await next_reply(fake, group, since=since)
        post = fake.send_text(group, BOB, HARBOUR_TEXT, forwarded_from=forwarded_from)
        await wait_until(lambda: (group.id, post) in fake.reactions, timeout=60)
        fake.send_text(group, BOB, "Hello all")  # chatter: not an article, nothing happens
        after = len(fake.calls)
        for _ in range(2):  # over the budget of one article an hour: said once, quietly
            fake.send_text(group, BOB, HARBOUR_TEXT.replace("harbour", "port"), forwarded_from=forwarded_from)
        paused = await next_reply(fake, group, since=after)
        processor = application.update_processor
        await wait_until(lambda: processor.counts["handled"] >= fake.updates_sent, timeout=30)
    assert refused["text"].startswith("To watch this group I must be one of its admins")
    assert fake.reactions[(group.id, post)] == ["👌"]
    sent = [c for c in calls(fake, "sendMessage", since=since) if c.params.get("chat_id") == group.id]
    assert len(sent) == 2  # "Watching this chat", then the one notice of the pause
    assert paused["text"].startswith("⚠️ Watching paused for an hour")
