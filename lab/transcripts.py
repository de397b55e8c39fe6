"""`python -m lab.transcripts`: the newsroom flows as the fake Bot API recorded them, one transcript each.

Each flow runs the real bot (the bundled model, real libraries in a temporary directory) against
lab/fake_telegram.py and prints what the users sent and what the bot did, in order: messages, edits,
button presses and their answers, reactions. The photo flow needs Tesseract, and reads the photo
`--photo` names (default: the English press release among the tests' fixtures).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import http.server
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index import Searcher, ocr_available
from index.config import IndexSettings
from index.service import open_searcher
from lab.fake_telegram import Chat, FakeTelegram, JSONDict
from lab.harness import ALICE, BOB, GROUP, PRIVATE, buttons, next_reply, running_bot, wait_until

PHOTO = Path(__file__).parents[1] / "tests" / "fixtures" / "scans" / "water-plan-en.jpg"
CHANNEL = Chat(id=-1009001, type="channel", title="Wire desk")
STORY = [
    "Ferry service resumes after the winter storms",
    "The island ferry resumed its daily crossings on Tuesday after six weeks of repairs to the pier that"
    " the January storms had damaged.",
    "The operator said the new pier was built to withstand waves twice as high as those of last winter,"
    " and that the repairs had cost two million pounds.",
    "Islanders said the closure had left them without fresh food for most of February.",
    "The council denied claims that the repairs had been delayed to save money.",
]
SHOWN = 300  # characters of a message shown in a transcript
NAMES = {ALICE.id: "Alice", BOB.id: "Bob"}
Flow = Callable[[FakeTelegram], Awaitable[None]]


def transcript(fake: FakeTelegram) -> list[str]:
    """What happened, in order: the users' updates (→) and the bot's calls that show (←, ✎, ⚡, 👌)."""
    events: list[tuple[float, str]] = [(t, _update_line(update)) for t, update in fake.update_log]
    for call in fake.calls:
        if call.ok and (line := _call_line(call.method, call.params, call.response.get("result"))):
            events.append((call.time, line))
    return [line for _, line in sorted(events, key=lambda event: event[0]) if line]


def _update_line(update: JSONDict) -> str:
    if (query := update.get("callback_query")) is not None:
        return f"→ {NAMES.get(query['from']['id'], 'user')} presses {_label(query)}"
    message = update.get("message") or update.get("channel_post") or update.get("edited_message") or {}
    who = NAMES.get(message.get("from", {}).get("id"), message.get("chat", {}).get("title", "user"))
    what = message.get("text") or ("[photo]" if message.get("photo") else "")
    if document := message.get("document"):
        what = f"[file {document['file_name']}]"
    if origin := message.get("forward_origin"):
        channel = origin.get("chat", {}).get("title", "a user")
        what = f"[forwarded from {channel} post {origin.get('message_id')}] {what}"
    reply = message.get("reply_to_message")
    to = f" (in reply to message {reply['message_id']})" if reply else ""
    return f"→ {who}{to}: {_short(what)}"


def _label(query: JSONDict) -> str:
    data = query.get("data")
    for row in query.get("message", {}).get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if button.get("callback_data") == data:
                return f"“{button['text']}”"
    return repr(data)


def _call_line(method: str, params: JSONDict, result: object) -> str:
    if method == "sendMessage":
        keys = f"  [{' | '.join(buttons(result))}]" if isinstance(result, dict) and buttons(result) else ""
        silent = " (silent)" if params.get("disable_notification") else ""
        return f"← bot{silent}: {_short(_visible(result))}{keys}"
    if method == "editMessageText":
        return f"✎ bot edits message {params.get('message_id')}: {_short(_visible(result))}"
    if method == "answerCallbackQuery" and params.get("text"):
        return f"⚡ bot answers the press: {params['text']}"
    if method == "setMessageReaction":
        emoji = " ".join(reaction["emoji"] for reaction in params.get("reaction", []))
        return f"{emoji} bot reacts to message {params.get('message_id')}"
    return ""


def _visible(result: object) -> str:
    return str(result.get("text", "")) if isinstance(result, dict) else ""


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


# ------------------------------------------------------------------------------ the flows


async def follow_up(fake: FakeTelegram) -> None:
    since = len(fake.calls)
    fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
    answer = await next_reply(fake, GROUP, since=since)
    since = len(fake.calls)
    fake.send_text(GROUP, BOB, "What did Dominic Raab say?", reply_to=answer["message_id"])
    question = fake.send_text(GROUP, BOB, "Who denied the claims? Check this.")
    await next_reply(fake, GROUP, since=since)
    since = len(fake.calls)
    fake.send_text(GROUP, ALICE, "/ask", reply_to=question)
    await next_reply(fake, GROUP, since=since)


async def votes(fake: FakeTelegram) -> None:
    fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
    answer = await next_reply(fake, PRIVATE)
    for label in ("👍", "👎"):
        count = len([c for c in fake.calls if c.method == "answerCallbackQuery"])
        fake.press_button(PRIVATE, ALICE, answer["message_id"], buttons(answer)[label])
        await wait_until(
            lambda n=count: len([c for c in fake.calls if c.method == "answerCallbackQuery"]) > n, timeout=30
        )


async def forwarded_posts(fake: FakeTelegram) -> None:
    text = "\n\n".join(STORY)
    first = fake.send_text(PRIVATE, ALICE, text[:260], forwarded_from=CHANNEL, forwarded_post=41)
    fake.send_text(PRIVATE, ALICE, text[260:], forwarded_from=CHANNEL, forwarded_post=42)
    await next_reply(fake, PRIVATE, method="editMessageText")
    await _press_add(fake, PRIVATE, first)


async def photo(fake: FakeTelegram, path: Path = PHOTO) -> None:
    sent = fake.send_photo(PRIVATE, ALICE, data=path.read_bytes())
    await _press_add(fake, PRIVATE, sent)
    since = len(fake.calls)
    fake.send_text(PRIVATE, ALICE, "How much will the work on the water pipes cost?")
    await next_reply(fake, PRIVATE, since=since)


async def watched_channel(fake: FakeTelegram) -> None:
    fake.set_admins(CHANNEL, bot=True)
    since = len(fake.calls)
    fake.post_in_channel(CHANNEL, "/watch on")
    await next_reply(fake, CHANNEL, since=since)
    with story_site() as url:
        posts = [
            fake.post_in_channel(CHANNEL, f"Ferries are back: {url}/ferry"),
            fake.post_in_channel(CHANNEL, f"Read {url}/missing"),
            fake.post_in_channel(CHANNEL, f"And {url}/also-missing"),
        ]
        await wait_until(lambda: all((CHANNEL.id, post) in fake.reactions for post in posts), timeout=120)
    since = len(fake.calls)
    fake.post_in_channel(CHANNEL, "/watch off")
    await next_reply(fake, CHANNEL, since=since)


async def _press_add(fake: FakeTelegram, chat: Chat, offered: int) -> None:
    offer = await fake.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.ok
            and c.response["result"].get("reply_to_message", {}).get("message_id") == offered
        )
    )
    message = offer.response["result"]
    since = len(fake.calls)
    fake.press_button(chat, ALICE, message["message_id"], buttons(message)["Add to library"])
    await fake.wait_for(
        lambda c: c.method == "editMessageText" and c.ok and "Reading" not in c.params["text"],
        since=since,
        timeout=120,
    )


@contextmanager
def story_site() -> Iterator[str]:
    """One article page (and nothing else) on 127.0.0.1."""
    page = "".join(f"<p>{html.escape(line)}</p>" for line in STORY[1:])
    body = f"<html><head><title>{STORY[0]}</title></head><body><h1>{STORY[0]}</h1>{page}</body></html>"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/ferry"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode() if found else b"not found")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


FLOWS: dict[str, Flow] = {
    "follow-up and ask from a reply": follow_up,
    "votes": votes,
    "forwarded channel posts in a row": forwarded_posts,
    "a photo read by OCR": photo,
    "a watched channel": watched_channel,
}


async def run_flows(searcher: Searcher, names: list[str]) -> None:
    for name in names:
        if name == "a photo read by OCR" and not ocr_available():
            print(f"## {name}\n\n(skipped: Tesseract is not installed)\n")
            continue
        env = {"SANAD_ALLOW_PRIVATE_NETWORKS": "127.0.0.1", "SANAD_FETCH_TIMEOUT": "5"}
        async with running_bot(searcher, **env) as (fake, _):
            await FLOWS[name](fake)
        print(f"## {name}\n")
        print("\n".join(transcript(fake)) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.transcripts", description=__doc__.splitlines()[0])
    parser.add_argument(
        "flows", nargs="*", metavar="FLOW", help=f"which flows (default: all): {', '.join(FLOWS)}"
    )
    args = parser.parse_args()
    if unknown := [name for name in args.flows if name not in FLOWS]:
        parser.error(f"no flow named {', '.join(unknown)}; the flows are: {', '.join(FLOWS)}")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    searcher = open_searcher(IndexSettings.from_env())
    asyncio.run(run_flows(searcher, args.flows or list(FLOWS)))


if __name__ == "__main__":
    main()
