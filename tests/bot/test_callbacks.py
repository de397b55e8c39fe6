"""Button presses are honoured only for the button the bot put on that message, pressed by whom it was
meant for. Fuzzed: real callback data recorded from the bot's messages, then mutated (another message,
another chat, another user, changed characters, ids and keys), and random data; none changes anything."""

from __future__ import annotations

import random
import string

from index import Searcher
from lab.harness import (
    ALICE,
    BOB,
    BOB_CHAT,
    PRIVATE,
    buttons,
    calls,
    next_reply,
    running_bot,
)
from tests.support.article_files import BANK_TEXT

STALE = "This button no longer applies."
NOT_YOURS = "This button is for the person who asked."
FORGERIES = 300


def mutations(data: str, rng: random.Random) -> list[str]:
    """Ways a modified client could change real callback data."""
    alphabet = string.ascii_letters + string.digits + "_-:"
    position = rng.randrange(len(data))
    flipped = data[:position] + rng.choice(alphabet.replace(data[position], "")) + data[position + 1 :]
    digits = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in data)
    return [
        flipped,
        data + rng.choice(alphabet),
        data[:-1],
        digits if digits != data else data + "0",
        data.upper() if data.upper() != data else data.lower() + "x",
        "".join(rng.sample(data, len(data))) if len(set(data)) > 1 else data + data,
        rng.choice(["rm:", "rmok:"]) + str(rng.randrange(1, 10**6)),
        rng.choice(["a:", "c:", "o:"]) + "".join(rng.choices(alphabet[:-1], k=8)),
    ]


def noise(rng: random.Random) -> str:
    length = rng.randrange(1, 65)
    return (
        "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(length)).encode()[:64].decode(errors="ignore")
    )


async def test_forged_mutated_and_misdirected_presses_change_nothing(searcher: Searcher) -> None:
    rng = random.Random(16)
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)
        fake.send_text(PRIVATE, ALICE, f"/add {BANK_TEXT}")
        await fake.wait_for(
            lambda call: call.method == "editMessageText" and "✅" in call.params.get("text", ""), timeout=60
        )
        fake.send_text(PRIVATE, ALICE, "/sources")
        sources = await next_reply(fake, PRIVATE, since=len(fake.calls))
        fake.send_text(PRIVATE, ALICE, "/start")
        welcome = await next_reply(fake, PRIVATE, since=len(fake.calls))
        fake.send_text(BOB_CHAT, BOB, "Who denied the claims?")
        bobs = await next_reply(fake, BOB_CHAT)

        real = {
            answer["message_id"]: list(buttons(answer).values()),
            sources["message_id"]: list(buttons(sources).values()),
            welcome["message_id"]: list(buttons(welcome).values()),
        }
        recorded = [data for datas in real.values() for data in datas]
        messages = [*real, bobs["message_id"]]
        before = (len(calls(fake, "sendMessage")), len(calls(fake, "editMessageText")))
        pressed: list[str] = []
        for _ in range(FORGERIES):
            original = rng.choice(recorded)
            data = rng.choice([*mutations(original, rng), noise(rng)])
            message_id = rng.choice(messages)
            if data in real.get(message_id, ()):
                continue  # by chance the very button: not a forgery
            if rng.random() < 0.3:  # no chat at all, as for an inline message
                pressed.append(fake.forge_callback(ALICE, data))
            else:
                pressed.append(fake.forge_callback(ALICE, data, chat=PRIVATE, message_id=message_id))
        # Real buttons, pressed in the wrong place: Bob's chat, or by Bob on Alice's messages.
        for data in recorded:
            pressed.append(fake.forge_callback(BOB, data, chat=BOB_CHAT, message_id=bobs["message_id"]))
        remove = buttons(sources)["Remove 1"]
        pressed.append(fake.forge_callback(BOB, remove, chat=PRIVATE, message_id=sources["message_id"]))
        await fake.wait_for(
            lambda _: (
                len({c.params.get("callback_query_id") for c in calls(fake, "answerCallbackQuery")})
                >= len(pressed)
            ),
            timeout=60,
        )
        fake.send_text(PRIVATE, ALICE, "/sources")
        still = await next_reply(fake, PRIVATE, since=len(fake.calls))

    notices = {
        c.params["callback_query_id"]: c.params.get("text") for c in calls(fake, "answerCallbackQuery")
    }
    assert {notices[query] for query in pressed[:-1]} == {STALE}
    assert notices[pressed[-1]] == NOT_YOURS
    after = (len(calls(fake, "sendMessage")) - 1, len(calls(fake, "editMessageText")))
    assert after == before  # nothing sent (but the last /sources), nothing edited
    assert still["text"] == sources["text"]  # the library is as it was
    assert len(pressed) > FORGERIES // 2


async def test_real_buttons_still_work_beside_the_forgeries(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "/start")
        welcome = await next_reply(fake, PRIVATE)
        forged = fake.forge_callback(ALICE, "x:en:7", chat=PRIVATE, message_id=welcome["message_id"])
        refused = await fake.wait_for("answerCallbackQuery")
        first_example = buttons(welcome)["Who denied the claims?"]
        fake.press_button(PRIVATE, ALICE, welcome["message_id"], first_example)
        answer = await next_reply(fake, PRIVATE, since=len(fake.calls))
    assert (refused.params["callback_query_id"], refused.params["text"]) == (forged, STALE)
    assert answer["reply_to_message"]["message_id"] == welcome["message_id"]
