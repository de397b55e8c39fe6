"""A chat's own articles, end to end: the real bot adds pages from a local news site (real HTTP),
pasted and forwarded text and uploaded files, refuses what it cannot read with the right message,
answers from the added article naming it, and lists and removes articles, through the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from index import Searcher
from lab.fake_telegram import Chat, FakeTelegram, User
from lab.harness import (
    ALICE,
    BOB,
    BOB_CHAT,
    GROUP,
    PRIVATE,
    SALMA,
    SALMA_CHAT,
    SPOKESMAN,
    JSONDict,
    buttons,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    sent_to,
)
from tests.support.article_files import BANK_TEXT, CLINIC, HARBOUR, docx_bytes, pdf_bytes
from tests.support.news_site import AR_COST, AR_TITLE, EN_COST, EN_TITLE, NewsSite

FIXTURES = Path(__file__).parents[1] / "fixtures"
BANK_TITLE = "البنك المركزي يرفع سعر الفائدة ربع نقطة لكبح التضخم"
RATE_QUESTION = "بكم رفع البنك المركزي سعر الفائدة؟"
RATE_SENTENCE = "قرر البنك المركزي يوم الخميس رفع سعر الفائدة الرئيسي بمقدار ربع نقطة مئوية"
COST_QUESTION = "كم تبلغ الكلفة التقديرية لمشروع تحلية المياه في العقبة؟"
# The site runs on 127.0.0.1: allow exactly that address, and keep the limits small for the refusals.
SITE_ENV = {
    "SANAD_ALLOW_PRIVATE_NETWORKS": "127.0.0.1",
    "SANAD_FETCH_TIMEOUT": "2",
    "SANAD_MAX_ARTICLE_BYTES": "1000000",
}
ADD_SECONDS = 120  # fetching, cutting and embedding an article on a loaded machine


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


async def final_status(
    fake: FakeTelegram, chat: Chat, since: int, *, timeout: float = ADD_SECONDS
) -> JSONDict:
    """The bot's progress message once edited from "Reading…" into its outcome."""
    call = await fake.wait_for(
        lambda c: (
            c.method == "editMessageText"
            and c.ok
            and c.params.get("chat_id") == chat.id
            and "Reading" not in c.params["text"]
            and "جارٍ قراءة" not in c.params["text"]
        ),
        timeout=ADD_SECONDS,
        since=since,
    )
    result: JSONDict = call.response["result"]
    return result


async def add(fake: FakeTelegram, chat: Chat, user: User, text: str, *, reply_to: int | None = None) -> str:
    """Send an /add (or a bare link) and return what the progress message ends up saying."""
    since = len(fake.calls)
    fake.send_text(chat, user, text, reply_to=reply_to)
    return str((await final_status(fake, chat, since))["text"])


async def ask(fake: FakeTelegram, chat: Chat, user: User, question: str) -> JSONDict:
    since = len(fake.calls)
    fake.send_text(chat, user, question if chat.type == "private" else f"/ask {question}")
    return await next_reply(fake, chat, since=since)


# ------------------------------------------------------------------------------ links


async def test_add_a_link_shows_progress_then_answers_from_the_article_naming_it(
    searcher: Searcher, site: NewsSite
) -> None:
    async with running_bot(searcher, **SITE_ENV) as (fake, _):
        since = len(fake.calls)
        fake.send_text(PRIVATE, ALICE, f"/add {site.url('/ar/water-plan')}")
        reading = await next_reply(fake, PRIVATE, since=since)
        done = await final_status(fake, PRIVATE, since)
        answer = await ask(fake, PRIVATE, ALICE, COST_QUESTION)
    assert reading["text"] == "⏳ Reading the article…"
    assert done["message_id"] == reading["message_id"]  # one message, edited
    assert done["text"] == f"✅ Added to this chat's library: {AR_TITLE} (9 sentences). Ask me about it."
    typing = [c for c in calls(fake, "sendChatAction", since=since) if c.params["chat_id"] == PRIVATE.id]
    assert typing and typing[0].params["action"] == "typing"
    assert entity_texts(answer, "blockquote")[0].startswith(AR_COST)
    assert f"📰 {AR_TITLE}" in answer["text"]
    # The title opens the page; the quote's place opens it at the quoted sentence, highlighted.
    links = [entity["url"] for entity in answer["entities"] if entity["type"] == "text_link"]
    page = site.url("/ar/water-plan")
    assert links[0] == page
    fragment = next(link for link in links if link.startswith(f"{page}#:~:text="))
    start = unquote(fragment.partition("#:~:text=")[2].split(",")[0])
    assert AR_COST.startswith(start)
    [sent] = [
        c for c in calls(fake, "sendMessage") if c.response["result"]["message_id"] == answer["message_id"]
    ]
    assert sent.params["link_preview_options"]["is_disabled"] is True  # no preview card under the quote


async def test_a_message_that_is_just_a_link_is_added(searcher: Searcher, site: NewsSite) -> None:
    async with running_bot(searcher, **SITE_ENV) as (fake, _):
        done = await add(fake, PRIVATE, ALICE, site.url("/redirect/article"))
        answer = await ask(fake, PRIVATE, ALICE, "How much will the new footbridge cost?")
    assert done.startswith(f"✅ Added to this chat's library: {EN_TITLE} (8 sentences)")
    assert any(quote.startswith(EN_COST) for quote in entity_texts(answer, "blockquote"))
    assert f"📰 {EN_TITLE}" in answer["text"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("/economy", "⚠️ I found no article text there."),
        ("/huge", "⚠️ That is too big: the limit is 1 MB."),
        ("/slow", "⚠️ That page took too long to load."),
        ("/loop/a", "⚠️ That link redirects too many times."),
        ("/missing", "⚠️ That page answered 404: no such page. Check that the link opens in a browser."),
        ("/photo.jpg", "⚠️ I cannot read image/jpeg."),
        ("/redirect/private", "⚠️ That link points to a private or local network address"),
        ("/redirect/metadata", "⚠️ That link points to a private or local network address"),
        ("file:///etc/passwd", "⚠️ I can only add http and https links."),
        ("ftp://127.0.0.1/article.txt", "⚠️ I can only add http and https links."),
        ("http://169.254.169.254/latest/meta-data/", "⚠️ That link points to a private or local network"),
    ],
)
async def test_links_that_give_no_article_are_refused_with_their_reason_and_add_nothing(
    searcher: Searcher, site: NewsSite, tmp_path: Path, link: str, message: str
) -> None:
    url = site.url(link) if link.startswith("/") else link
    async with running_bot(searcher, chats=tmp_path, **SITE_ENV) as (fake, _):
        done = await add(fake, PRIVATE, ALICE, f"/add {url}")
    assert done.startswith(message)
    assert not (tmp_path / str(PRIVATE.id)).exists()


async def test_a_host_that_resolves_to_loopback_is_refused_without_the_allow_setting(
    searcher: Searcher, site: NewsSite
) -> None:
    async with running_bot(searcher) as (fake, _):
        done = await add(fake, PRIVATE, ALICE, f"/add {site.url('/en/bridge', host='localhost')}")
    assert done.startswith("⚠️ That link points to a private or local network address")


async def test_refusals_are_in_the_readers_language(searcher: Searcher, site: NewsSite) -> None:
    async with running_bot(searcher, **SITE_ENV) as (fake, _):
        done = await add(fake, SALMA_CHAT, SALMA, f"/add {site.url('/economy')}")
    assert done == "⚠️ لم أجد نص مقال هناك. أرسل رابط صفحة المقال نفسها، أو الصق نصه."


# ------------------------------------------------------------------------------ text and files


async def test_pasted_long_text_gets_an_add_button_instead_of_an_answer(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        pasted = fake.send_text(PRIVATE, ALICE, BANK_TEXT)
        offer = await next_reply(fake, PRIVATE)
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, offer["message_id"], buttons(offer)["Add to library"])
        done = await final_status(fake, PRIVATE, since)
        answer = await ask(fake, PRIVATE, ALICE, RATE_QUESTION)
    assert offer["reply_to_message"]["message_id"] == pasted
    assert offer["text"].startswith(f"This looks like an article ({len(BANK_TEXT):,} characters).")
    assert "blockquote" not in str(offer.get("entities"))  # not answered as a question
    assert done["message_id"] == offer["message_id"] and "reply_markup" not in done
    assert done["text"].startswith(f"✅ Added to this chat's library: {BANK_TITLE} (7 sentences)")
    assert entity_texts(answer, "blockquote")[0].startswith(RATE_SENTENCE)
    assert f"📰 {BANK_TITLE}" in answer["text"]


async def test_a_forwarded_post_is_offered_even_when_short(searcher: Searcher) -> None:
    channel = Chat(id=-100999, type="channel", title="Riverside Herald")
    text = "\n".join(HARBOUR)
    assert len(text) < 600  # pasted, it would be a (long) question
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, text, forwarded_from=channel)
        offer = await next_reply(fake, PRIVATE)
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, offer["message_id"], "add")
        done = await final_status(fake, PRIVATE, since)
    assert offer["text"].startswith("This looks like an article")
    assert done["text"].startswith(f"✅ Added to this chat's library: {HARBOUR[0]} (3 sentences)")


async def test_an_uploaded_word_file_is_downloaded_and_added(searcher: Searcher) -> None:
    data = docx_bytes(CLINIC, author="سلمى")
    async with running_bot(searcher, SANAD_ARTICLE_MIN_CHARS="100") as (fake, _):  # a short article
        fake.send_document(SALMA_CHAT, SALMA, "عيادة.docx", data)
        offer = await next_reply(fake, SALMA_CHAT)
        since = len(fake.calls)
        fake.press_button(SALMA_CHAT, SALMA, offer["message_id"], buttons(offer)["أضف إلى المكتبة"])
        done = await final_status(fake, SALMA_CHAT, since)
        answer = await ask(fake, SALMA_CHAT, SALMA, "كم مرة ستزور العيادة المتنقلة كل قرية؟")
        downloads = list(fake.downloads)
    assert offer["text"] == "هل أضيف الملف عيادة.docx إلى مكتبة هذه المحادثة؟"
    assert downloads == [calls(fake, "getFile")[0].response["result"]["file_path"]]
    assert done["text"].startswith(f"✅ أضيف إلى مكتبة هذه المحادثة: {CLINIC[0]} (عدد الجمل 3)")
    assert entity_texts(answer, "blockquote")[0] == CLINIC[2]


async def test_reply_add_to_a_pdf_adds_it_at_once(searcher: Searcher) -> None:
    async with running_bot(searcher, SANAD_ARTICLE_MIN_CHARS="100") as (fake, _):  # a short article
        upload = fake.send_document(
            PRIVATE, ALICE, "harbour.pdf", pdf_bytes(HARBOUR), mime_type="application/pdf"
        )
        await next_reply(fake, PRIVATE)  # the offer
        done = await add(fake, PRIVATE, ALICE, "/add", reply_to=upload)
    assert done.startswith(f"✅ Added to this chat's library: {HARBOUR[0]} (3 sentences)")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("locked.pdf", pdf_bytes(HARBOUR, user_password="s3cret"), "⚠️ That PDF is password-protected."),
        ("broken.docx", b"PK\x03\x04 this is not a Word file", "⚠️ That file is empty or damaged."),
        ("empty.txt", b"", "⚠️ That file is empty or damaged."),
        ("scan.pdf", pdf_bytes([]), "⚠️ I found no article text there."),
    ],
)
async def test_broken_files_are_refused_after_the_button_with_their_reason(
    searcher: Searcher, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    async with running_bot(searcher, chats=tmp_path) as (fake, _):
        fake.send_document(PRIVATE, ALICE, name, data)
        offer = await next_reply(fake, PRIVATE)
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, offer["message_id"], "add")
        done = await final_status(fake, PRIVATE, since)
    assert done["text"].startswith(message)
    assert not (tmp_path / str(PRIVATE.id)).exists()


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("slides.pptx", 2_000, "⚠️ I cannot read .pptx."),
        ("huge.pdf", 1_500_000, "⚠️ That is too big: the limit is 1 MB."),
    ],
)
async def test_unreadable_or_too_big_files_are_refused_at_once_without_downloading(
    searcher: Searcher, name: str, size: int, message: str
) -> None:
    async with running_bot(searcher, **SITE_ENV) as (fake, _):
        fake.send_document(PRIVATE, ALICE, name, b"x" * size)
        refusal = await next_reply(fake, PRIVATE)
    assert refusal["text"].startswith(message) and "reply_markup" not in refusal
    assert fake.downloads == []


# ------------------------------------------------------------------------------ owning


async def test_two_chats_never_see_each_others_articles(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        done = await add(fake, PRIVATE, ALICE, f"/add {BANK_TEXT}")
        alice = await ask(fake, PRIVATE, ALICE, RATE_QUESTION)
        bob = await ask(fake, BOB_CHAT, BOB, RATE_QUESTION)
        fake.inline_query(ALICE, RATE_QUESTION)
        alice_inline = await fake.wait_for("answerInlineQuery")
        since = len(fake.calls)
        fake.inline_query(BOB, RATE_QUESTION)
        bob_inline = await fake.wait_for("answerInlineQuery", since=since)
        fake.send_text(BOB_CHAT, BOB, "/sources")
        bob_sources = await next_reply(fake, BOB_CHAT, since=len(fake.calls))
    assert done.startswith("✅")
    assert entity_texts(alice, "blockquote")[0].startswith(RATE_SENTENCE)
    assert BANK_TITLE not in bob["text"] and RATE_SENTENCE not in bob["text"]
    assert alice_inline.params["results"] and BANK_TITLE in alice_inline.params["results"][0]["description"]
    assert all(BANK_TITLE not in r["description"] for r in bob_inline.params["results"])
    assert BANK_TITLE not in bob_sources["text"]


async def test_shared_articles_still_answer_in_a_chat_with_its_own(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        await add(fake, PRIVATE, ALICE, f"/add {BANK_TEXT}")
        answer = await ask(fake, PRIVATE, ALICE, "Who denied the claims?")
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_in_a_group_only_admins_add_unless_everyone_may(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.set_admins(GROUP, ALICE)
        pasted = fake.send_text(GROUP, BOB, BANK_TEXT)  # unseen under privacy mode
        since = len(fake.calls)
        fake.send_text(GROUP, BOB, "/add", reply_to=pasted)
        refusal = await next_reply(fake, GROUP, since=since)
        member_check = calls(fake, "getChatMember", since=since)
        done = await add(fake, GROUP, ALICE, "/add", reply_to=pasted)
    assert refusal["text"] == "In this group only admins can add or remove articles."
    assert [c.params["user_id"] for c in member_check] == [BOB.id]
    assert done.startswith(f"✅ Added to this chat's library: {BANK_TITLE}")
    async with running_bot(searcher, SANAD_GROUP_EDITORS="everyone") as (fake, _):
        pasted = fake.send_text(GROUP, BOB, BANK_TEXT)
        done = await add(fake, GROUP, BOB, "/add", reply_to=pasted)
        assert calls(fake, "getChatMember") == []
    assert done.startswith("✅")


async def test_sources_lists_the_chats_articles_and_removes_one_after_confirmation(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        await add(fake, PRIVATE, ALICE, f"/add {BANK_TEXT}")
        await add(fake, PRIVATE, ALICE, "/add " + "\n".join(HARBOUR))
        fake.send_text(PRIVATE, ALICE, "/sources")
        listing = await next_reply(fake, PRIVATE, since=len(fake.calls))
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, listing["message_id"], buttons(listing)["Remove 1"])
        confirm = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, listing["message_id"], buttons(confirm)["Cancel"])
        back = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
        fake.press_button(PRIVATE, ALICE, listing["message_id"], buttons(back)["Remove 1"])
        confirm = await next_reply(fake, PRIVATE, since=len(fake.calls), method="editMessageText")
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, listing["message_id"], buttons(confirm)["Yes, remove it"])
        removed = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
        answer = await ask(fake, PRIVATE, ALICE, RATE_QUESTION)
        fake.send_text(PRIVATE, ALICE, "/sources")
        after = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert listing["text"].startswith(f"This chat's articles:\n\n1. {BANK_TITLE}\n7 sentences, added ")
    assert f"2. {HARBOUR[0]}\n3 sentences" in listing["text"]
    assert "Shared articles" in listing["text"]
    assert list(buttons(listing)) == ["Remove 1", "Remove 2"]
    assert confirm["text"] == f"Remove “{BANK_TITLE}” from this chat's library?"
    assert back["text"] == listing["text"]
    assert removed["text"] == f"🗑 Removed “{BANK_TITLE}” from this chat's library."
    assert RATE_SENTENCE not in answer["text"]
    assert after["text"].startswith(f"This chat's articles:\n\n1. {HARBOUR[0]}")


async def test_remove_and_clear_commands_ask_first(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        await add(fake, PRIVATE, ALICE, f"/add {BANK_TEXT}")
        await add(fake, PRIVATE, ALICE, "/add " + "\n".join(HARBOUR))
        fake.send_text(PRIVATE, ALICE, "/remove 3")
        missing = await next_reply(fake, PRIVATE, since=len(fake.calls))
        fake.send_text(PRIVATE, ALICE, "/remove 2")
        confirm = await next_reply(fake, PRIVATE, since=len(fake.calls))
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, confirm["message_id"], buttons(confirm)["Yes, remove it"])
        removed = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
        fake.send_text(PRIVATE, ALICE, "/clear")
        clear = await next_reply(fake, PRIVATE, since=len(fake.calls))
        since = len(fake.calls)
        fake.press_button(PRIVATE, ALICE, clear["message_id"], buttons(clear)["Yes, remove all"])
        cleared = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
        fake.send_text(PRIVATE, ALICE, "/clear")
        empty = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert missing["text"] == "This chat has no article number 3. /sources lists them."
    assert confirm["text"] == f"Remove “{HARBOUR[0]}” from this chat's library?"
    assert removed["text"] == f"🗑 Removed “{HARBOUR[0]}” from this chat's library."
    assert clear["text"] == "Remove all 1 articles from this chat's library?"
    assert cleared["text"] == "🗑 Removed 1 articles from this chat's library."
    assert empty["text"] == "This chat's library is already empty."


async def test_only_who_listed_the_articles_can_press_their_remove_buttons(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.set_admins(GROUP, ALICE)
        await add(fake, GROUP, ALICE, f"/add {BANK_TEXT}")
        fake.send_text(GROUP, ALICE, "/sources")
        listing = await next_reply(fake, GROUP, since=len(fake.calls))
        since = len(fake.calls)
        fake.press_button(GROUP, BOB, listing["message_id"], buttons(listing)["Remove 1"])
        alert = await fake.wait_for("answerCallbackQuery", since=since)
        fake.send_text(GROUP, ALICE, "/sources")
        still = await next_reply(fake, GROUP, since=len(fake.calls))
    assert alert.params["text"] == "This button is for the person who asked."
    assert calls(fake, "editMessageText", since=since) == []
    assert BANK_TITLE in still["text"]


async def test_forged_remove_buttons_reach_only_the_chats_own_articles(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        await add(fake, PRIVATE, ALICE, f"/add {BANK_TEXT}")
        fake.send_text(BOB_CHAT, BOB, "/clear")
        notice = await next_reply(fake, BOB_CHAT, since=len(fake.calls))
        fake.send_text(PRIVATE, ALICE, "/sources")
        listing = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert notice["text"] == "This chat's library is already empty."
    assert BANK_TITLE in listing["text"]


async def test_a_file_too_short_for_an_article_is_refused_saying_how_long_one_must_be(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        upload = fake.send_document(PRIVATE, ALICE, "note.txt", b"hi there!")
        fake.send_text(PRIVATE, ALICE, "/add", reply_to=upload)
        result = await fake.wait_for(
            lambda call: sent_to(PRIVATE, "editMessageText")(call) and "⚠️" in call.params["text"], timeout=30
        )
        fake.send_text(PRIVATE, ALICE, "/sources")
        sources = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert result.params["text"] == (
        "⚠️ That is too short for an article (8 characters; at least 600). Send the whole article."
    )
    assert "This chat has no articles of its own yet" in sources["text"]


async def test_a_chat_can_turn_the_shared_articles_off_and_on(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.set_admins(GROUP, ALICE)
        fake.send_text(GROUP, BOB, "/shared off")  # a member may ask, not change it
        refused = await next_reply(fake, GROUP)
        fake.send_text(GROUP, ALICE, "/shared off")
        turned_off = await next_reply(fake, GROUP, since=len(fake.calls))
        fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
        unanswered = await next_reply(fake, GROUP, since=len(fake.calls))
        fake.send_text(GROUP, ALICE, "/sources")
        listing = await next_reply(fake, GROUP, since=len(fake.calls))
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")  # other chats are not affected
        elsewhere = await next_reply(fake, PRIVATE, since=len(fake.calls))
        fake.send_text(GROUP, ALICE, "/shared on")
        await next_reply(fake, GROUP, since=len(fake.calls))
        fake.send_text(GROUP, ALICE, "/shared")
        state = await next_reply(fake, GROUP, since=len(fake.calls))
        fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
        answered = await next_reply(fake, GROUP, since=len(fake.calls))
    assert refused["text"] == "In this group only admins can add or remove articles."
    assert turned_off["text"].startswith("From now on this chat searches only its own articles.")
    assert unanswered["text"].startswith("Not in the article") and not entity_texts(unanswered, "blockquote")
    assert (
        "Shared articles" not in listing["text"] and "the shared ones are off. /shared on" in listing["text"]
    )
    assert entity_texts(elsewhere, "blockquote")
    assert state["text"].startswith("This chat searches the shared articles beside its own.")
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answered, "blockquote"))


def telegram_parts(text: str, limit: int = 4096) -> list[str]:
    """`text` cut as a Telegram client cuts a long paste: at the last space before each limit."""
    parts = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        parts.append(text[:cut])
        text = text[cut + 1 :]
    return [*parts, text]


async def test_a_long_paste_in_several_messages_is_offered_and_added_as_one_article(
    searcher: Searcher,
) -> None:
    mixed = Path(__file__).parents[2] / "seeds" / "eval" / "mixed"
    body = " ".join(
        " ".join(path.read_text(encoding="utf-8").split("\n\n", 1)[1].split())
        for path in sorted(mixed.glob("a[1-3]-*.en.txt"))
    )
    article = "Three stories from the Korsten wire\n\n" + body
    parts = telegram_parts(article)
    assert len(parts) >= 2 and len(parts[-1]) < len(parts[0])
    async with running_bot(searcher) as (fake, _):
        for part in parts:
            fake.send_text(PRIVATE, ALICE, part)
        await fake.wait_for(
            lambda c: c.method == "editMessageText" and f"sent in {len(parts)} messages" in c.params["text"]
        )
        offers = calls(fake, "sendMessage")
        [offer] = fake.messages_in(PRIVATE.id)
        fake.press_button(PRIVATE, ALICE, offer["message_id"], buttons(offer)["Add to library"])
        done = await final_status(fake, PRIVATE, len(fake.calls))
        fake.send_text(PRIVATE, ALICE, "How much will the tram line cost?")
        answer = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert len(offers) == 1  # one offer, edited as the parts came in; no part was taken for a question
    assert done["text"].startswith("✅ Added to this chat's library: Three stories from the Korsten wire (")
    assert "610 million euros" in answer["text"]
