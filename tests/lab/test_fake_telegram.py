"""Tests of the fake Bot API server, driven over HTTP by the real python-telegram-bot.

The fake is only worth having if PTB accepts its answers as Telegram's and if it refuses what
Telegram refuses, so every test here goes through ``telegram.Bot`` or a real ``Application``.
Servers and bots are opened with ``async with`` inside each test, so no fixture ties them to an
event loop other than the test's own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from lab.fake_telegram import Chat, FakeTelegram, User

TOKEN = "123456:TEST-token-not-real"
ALICE = User(id=501, first_name="Alice", username="alice")
PRIVATE = Chat(id=ALICE.id)
GROUP = Chat(id=-100777, type="supergroup", title="Readers")


def _bot(fake: FakeTelegram) -> Bot:
    return Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)


async def test_get_me_describes_a_privacy_mode_bot_with_inline_mode() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        me = await bot.get_me()
    assert me.username == "sanad_test_bot"
    assert me.is_bot and me.can_join_groups and me.supports_inline_queries
    assert me.can_read_all_group_messages is False
    assert [call.method for call in fake.calls] == ["getMe", "getMe"]  # initialize() also calls it


async def test_wrong_token_is_unauthorized() -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        with pytest.raises(Exception, match="rejected by the server"):
            async with Bot("42:wrong", base_url=fake.base_url):
                pass
    assert fake.calls[-1].status == 401


async def test_html_message_is_stored_as_the_user_sees_it() -> None:
    html = 'Answer: <b>bold</b> &amp; <a href="https://example.com/a">source</a>\n'
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(PRIVATE, ALICE, "hi")
        sent = await bot.send_message(PRIVATE.id, html, parse_mode="HTML")
    assert sent.text == "Answer: bold & source"  # entities decoded, trailing newline trimmed
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 8, 4), ("text_link", 15, 6)]
    [stored] = fake.messages_in(PRIVATE.id)
    assert stored["text"] == sent.text
    assert stored["raw_text"] == html
    assert stored["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("<x>hi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("سلام <br>", 'Unsupported start tag "br" at byte offset 9'),  # offsets count UTF-8 bytes
        ("<b>hi", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>hi</i>", 'Unmatched end tag at byte offset 5, expected "</b>", found "</i>"'),
        ("hi</b>", "Unexpected end tag at byte offset 2"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(html: str, description: str) -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(PRIVATE, ALICE, "hi")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(PRIVATE.id, html, parse_mode="HTML")
    assert fake.calls[-1].response["description"] == f"Bad Request: can't parse entities: {description}"
    assert fake.messages_in(PRIVATE.id) == []


async def test_length_counts_visible_text_after_parsing() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(PRIVATE, ALICE, "hi")
        await bot.send_message(PRIVATE.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(PRIVATE.id, "x" * 4097)
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(PRIVATE.id, "<b> </b>\n", parse_mode="HTML")


async def test_unknown_chat_callback_data_and_replies_are_checked() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(PRIVATE.id, "nobody wrote to the bot yet")
        question = fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("more", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match="Button_data_invalid"):  # PTB capitalizes the description
            await bot.send_message(PRIVATE.id, "answer", reply_markup=too_long)
        with pytest.raises(BadRequest, match="Message to be replied not found"):
            await bot.send_message(PRIVATE.id, "answer", reply_parameters=ReplyParameters(message_id=999))
        with pytest.raises(BadRequest, match="Quote_text_invalid"):
            await bot.send_message(
                PRIVATE.id, "answer", reply_parameters=ReplyParameters(message_id=question, quote="agreed")
            )
        reply = await bot.send_message(
            PRIVATE.id, "answer", reply_parameters=ReplyParameters(message_id=question, quote="denied")
        )
        orphan = await bot.send_message(
            PRIVATE.id, "answer", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
        )
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == question
    assert reply.quote is not None and (reply.quote.text, reply.quote.position) == ("denied", 4)
    assert orphan.reply_to_message is None
    sent = fake.calls[-1].params
    assert sent["reply_parameters"] == {"message_id": 999, "allow_sending_without_reply": True}


async def test_fail_next_surfaces_as_ptb_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without PTB_TIMEDELTA, building RetryAfter itself warns (PTBDeprecationWarning), an error here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(PRIVATE, ALICE, "hi")
        fake.fail_next("sendMessage", retry_after=3)
        fake.fail_next("sendMessage", status=502)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(PRIVATE.id, "one")
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(PRIVATE.id, "two")
        await bot.send_message(PRIVATE.id, "three")
    assert flood.value.retry_after == dt.timedelta(seconds=3)
    assert fake.calls[-3].response["parameters"] == {"retry_after": 3}
    assert [message["text"] for message in fake.messages_in(PRIVATE.id)] == ["three"]


async def test_get_updates_long_poll_returns_promptly_and_honours_offset() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)  # the poll is waiting in the fake when the message arrives
        first = fake.send_text(PRIVATE, ALICE, "/ask@sanad_test_bot who?")
        [update] = await poll
        assert time.monotonic() - started < 1
        assert update.message is not None and update.message.message_id == first
        assert update.message.entities[0].type == "bot_command"
        assert update.message.entities[0].length == len("/ask@sanad_test_bot")

        fake.send_text(PRIVATE, ALICE, "second")
        fake.send_text(PRIVATE, ALICE, "third")
        assert len(await bot.get_updates()) == 3  # nothing confirmed yet
        rest = await bot.get_updates(offset=update.update_id + 1, limit=1)
        assert [u.message.text for u in rest if u.message] == ["second"]
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["second", "third"]
        assert await bot.get_updates(offset=rest[0].update_id + 2) == ()


async def test_newer_get_updates_ends_an_older_one_with_conflict() -> None:
    # Two bot instances: PTB gives getUpdates a connection pool of one, so one Bot never overlaps polls.
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as first, _bot(fake) as second:
        older = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older


async def test_edit_message_text_changes_stored_text_and_drops_the_keyboard() -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sources", callback_data="src:1")]])
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(PRIVATE, ALICE, "hi")
        sent = await bot.send_message(PRIVATE.id, "Searching…", reply_markup=keyboard)
        query_id = fake.press_button(PRIVATE, ALICE, sent.message_id, "src:1")
        assert await bot.answer_callback_query(query_id, text="ok")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("Searching…", PRIVATE.id, sent.message_id, reply_markup=keyboard)
        await bot.edit_message_text("<i>Found it</i>", PRIVATE.id, sent.message_id, parse_mode="HTML")
    [stored] = fake.messages_in(PRIVATE.id)
    assert stored["text"] == "Found it"
    assert stored["entities"] == [{"offset": 0, "length": 8, "type": "italic"}]
    assert "reply_markup" not in stored  # an edit without reply_markup removes the keyboard
    assert "edit_date" in stored
    with pytest.raises(ValueError, match="no button"):
        fake.press_button(PRIVATE, ALICE, sent.message_id, "src:1")


async def test_group_privacy_mode_hides_chatter_but_not_commands_mentions_or_replies() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(GROUP, ALICE, "just chatting")
        fake.send_text(GROUP, ALICE, "/ask@other_bot hi")
        command = fake.send_text(GROUP, ALICE, "/ask@sanad_test_bot who?")
        mention = fake.send_text(GROUP, ALICE, "@sanad_test_bot who?")
        answer = await bot.send_message(GROUP.id, "an answer")
        reply = fake.send_text(GROUP, ALICE, "thanks", reply_to=answer.message_id)
        seen = [u.message.message_id for u in await bot.get_updates() if u.message]
    assert seen == [command, mention, reply]


async def test_user_edits_and_media_arrive_as_updates() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        first = fake.send_text(PRIVATE, ALICE, "first")
        fake.edit_text(PRIVATE, ALICE, first, "/ask second")
        fake.send_sticker(PRIVATE, ALICE)
        fake.send_photo(PRIVATE, ALICE, caption="@sanad_test_bot look")
        updates = await bot.get_updates()
    edited, sticker, photo = (update.effective_message for update in updates[1:])
    assert updates[1].edited_message is edited and edited is not None
    assert edited.text == "/ask second" and edited.entities[0].type == "bot_command"
    assert sticker is not None and sticker.sticker is not None and sticker.text is None
    assert photo is not None and photo.caption_entities[0].type == "mention"


async def test_admins_deletes_chat_actions_and_webhook() -> None:
    bob = User(id=502, first_name="Bob")
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        chatter = fake.send_text(GROUP, bob, "hello")
        fake.set_admins(GROUP, ALICE)
        admins = await bot.get_chat_administrators(GROUP.id)
        bob_member = await bot.get_chat_member(GROUP.id, bob.id)
        assert await bot.send_chat_action(GROUP.id, "typing")
        with pytest.raises(BadRequest, match="Message can't be deleted"):
            await bot.delete_message(GROUP.id, chatter)
        fake.set_admins(GROUP, ALICE, bot=True)
        assert await bot.delete_message(GROUP.id, chatter)
        await bot.set_webhook("https://example.com/hook")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    assert [admin.user.id for admin in admins] == [ALICE.id]
    assert admins[0].status == "administrator"
    assert bob_member.status == "member"


async def test_inline_answers_are_validated() -> None:
    def article(result_id: str) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(result_id, "title", InputTextMessageContent("<b>quote</b>", "HTML"))

    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        query_id = fake.inline_query(ALICE, "who denied")
        with pytest.raises(BadRequest, match="Result_id_duplicate"):
            await bot.answer_inline_query(query_id, [article("1"), article("1")])
        with pytest.raises(BadRequest, match="Results_too_much"):
            await bot.answer_inline_query(query_id, [article(str(i)) for i in range(51)])
        assert await bot.answer_inline_query(query_id, [article("1")], cache_time=0, is_personal=True)
    assert fake.calls[-1].params["results"][0]["input_message_content"]["parse_mode"] == "HTML"


async def test_commands_are_recorded_per_language() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        await bot.set_my_commands([("ask", "Ask a question")])
        await bot.set_my_commands([("ask", "اسأل سؤالًا")], language_code="ar")
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([("Ask", "uppercase is refused")])
        arabic = await bot.get_my_commands(language_code="ar")
    assert [(c.command, c.description) for c in arabic] == [("ask", "اسأل سؤالًا")]
    assert fake.commands_for() == [{"command": "ask", "description": "Ask a question"}]


async def test_unknown_methods_answer_not_found_and_uploads_arrive_as_multipart() -> None:
    async with FakeTelegram(token=TOKEN) as fake, _bot(fake) as bot:
        fake.send_text(PRIVATE, ALICE, "hi")
        with pytest.raises(Exception, match="Not Found"):
            await bot.send_document(PRIVATE.id, b"%PDF-1.4 tiny", filename="a.pdf", caption="123")
    call = fake.calls[-1]
    assert (call.method, call.status) == ("sendDocument", 404)
    assert call.params["document"] == b"%PDF-1.4 tiny"
    assert call.params["chat_id"] == PRIVATE.id
    assert call.params["caption"] == "123"  # a string field stays a string though it reads as JSON


async def test_application_echoes_a_message_end_to_end() -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(f"<b>{update.message.text}</b>", parse_mode="HTML")

    async with FakeTelegram(token=TOKEN) as fake:
        builder = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).base_file_url(fake.base_file_url)
        app = builder.build()
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            started = time.monotonic()
            fake.send_text(PRIVATE, ALICE, "مرحبا")
            call = await fake.wait_for(lambda call: call.method == "sendMessage" and call.ok, timeout=5)
            elapsed = time.monotonic() - started
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    assert call.response["result"]["text"] == "مرحبا"
    assert [message["text"] for message in fake.messages_in(PRIVATE.id)] == ["مرحبا"]
    assert elapsed < 1
