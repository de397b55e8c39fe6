"""A fake Telegram Bot API server on loopback, for end-to-end tests of the bot.

The real python-telegram-bot ``Application`` talks HTTP to it exactly as it would talk to
api.telegram.org, so tests exercise PTB's own request code, handlers and error mapping rather than
a mock of them. Point a bot at it with::

    ApplicationBuilder().token(TOKEN).base_url(fake.base_url).base_file_url(fake.base_file_url)

(``base_file_url`` too, or file downloads would still go to api.telegram.org.)

The fake refuses what Telegram refuses, because a test double that accepts a message Telegram
rejects hides exactly the bugs that break the bot in production:

- HTML parse mode is a port of tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp): the same
  tags and the same error texts, with offsets in UTF-8 bytes. As in Telegram, an unknown named
  entity such as ``&nbsp;`` is no error: it stays in the text literally.
- Every text then goes through a port of tdlib's ``fix_formatted_text``: control characters
  become spaces, ``\\r``, U+2028..U+202E (including the bidi embeddings RLE/LRE/PDF) and three
  combining marks are removed, leading and trailing spaces and newlines are trimmed. The length
  limit (4096) applies to that visible text.
- Callback data (1-64 bytes), replies to missing messages, quotes that are not in the replied
  message, edits that change nothing, inline answers (at most 50, unique ids of 1-64 bytes).
- Group privacy mode (on by default): in groups the bot only receives commands, @mentions of
  itself and replies to its own messages, unless it is an administrator there.

PTB sends every request as ``application/x-www-form-urlencoded`` (``multipart/form-data`` when it
uploads a file): string values raw, every other value JSON-encoded. A value's type therefore comes
from the Bot API schema, not from the request: ``_STRING_PARAMS`` names the string fields that
must not be JSON-decoded (a text "123" would otherwise become a number).

A flaky network is modelled by ``start_chaos``: for a while, a seeded random share of requests
gets a 5xx answer, a 429 with ``retry_after``, no answer until the client gives up (a timeout), or a
dropped connection. Every fault happens before the method runs, so a refused request changed
nothing and the client may safely send it again. (A request that Telegram carried out but whose
answer was lost cannot be told apart by any client; Telegram has no idempotency key.)

Users can send documents: ``getFile`` and the download URL under ``base_file_url`` serve their bytes,
with Telegram's 20 MB limit for bots.

Not modelled: sending media, edits by ``inline_message_id``, Markdown parse modes (refused
loudly rather than half-parsed), automatic entities for links without a scheme and for hashtags,
Telegram's own rate limits (use ``fail_next``), chunked request bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import random
import re
import string
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, unquote, urlsplit

JSONDict = dict[str, Any]

_LOG = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_INLINE_QUERY_LENGTH = 256
MAX_QUOTE_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files for bots

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

# Bot API fields of type String among the methods served here (and caption, so that recorded media
# calls read right); all other form values are JSON.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "action",
        "language_code",
        "url",
        "secret_token",
        "next_offset",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
    }
)

# The emoji a bot may react with (ReactionTypeEmoji in the Bot API); others are REACTION_INVALID.
REACTION_EMOJI = frozenset(
    (
        "❤",
        "👍",
        "👎",
        "🔥",
        "🥰",
        "👏",
        "😁",
        "🤔",
        "🤯",
        "😱",
        "🤬",
        "😢",
        "🎉",
        "🤩",
        "🤮",
        "💩",
        "🙏",
        "👌",
        "🕊",
        "🤡",
        "🥱",
        "🥴",
        "😍",
        "🐳",
        "❤\u200d🔥",
        "🌚",
        "🌭",
        "💯",
        "🤣",
        "⚡",
        "🍌",
        "🏆",
        "💔",
        "🤨",
        "😐",
        "🍓",
        "🍾",
        "💋",
        "🖕",
        "😈",
        "😴",
        "😭",
        "🤓",
        "👻",
        "👨\u200d💻",
        "👀",
        "🎃",
        "🙈",
        "😇",
        "😨",
        "🤝",
        "✍",
        "🤗",
        "🫡",
        "🎅",
        "🎄",
        "☃",
        "💅",
        "🤪",
        "🗿",
        "🆒",
        "💘",
        "🙉",
        "🦄",
        "😘",
        "💊",
        "🙊",
        "😎",
        "👾",
        "🤷\u200d♂",
        "🤷",
        "🤷\u200d♀",
        "😡",
    )
)

# Update kinds Telegram leaves out unless allowed_updates names them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)

_ADMIN_RIGHTS: JSONDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
}


@dataclass(frozen=True)
class User:
    """A Telegram user who talks to the bot."""

    id: int
    first_name: str
    language_code: str = "en"
    username: str | None = None

    def to_dict(self) -> JSONDict:
        user: JSONDict = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            user["username"] = self.username
        return user


@dataclass(frozen=True)
class Chat:
    """A chat the bot is in; for a private chat the id is the user's id, as in Telegram."""

    id: int
    type: Literal["private", "group", "supergroup", "channel"] = "private"
    title: str | None = None


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made, with the fake's answer.

    ``response`` is a JSON snapshot taken when the answer was sent, so later edits of the same
    message do not rewrite history.
    """

    method: str
    params: JSONDict
    time: float  # time.monotonic() when the request arrived
    status: int
    response: JSONDict

    @property
    def ok(self) -> bool:
        return self.response.get("ok") is True


class _ApiError(Exception):
    """An error answer of the Bot API, raised by a method and sent as Telegram's error JSON."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_response(self) -> JSONDict:
        response: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            response["parameters"] = self.parameters
        return response


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


# --- HTML parse mode: a port of tdlib's parse_html -------------------------------------------------

_SPACES = frozenset(b" \t\r\n\v\0")  # tdlib's is_space; 0 also stands for "past the end"
_ALPHA = frozenset(string.ascii_letters.encode())
_DIGITS = frozenset(string.digits.encode())
_HEX_DIGITS = frozenset(string.hexdigits.encode())
_NAME_TOKEN = frozenset((string.ascii_letters + string.digits + ".-").encode())
_ATTRIBUTE_NAME_END = frozenset(b"=>/\"'")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_STYLE_ENTITIES = {
    **dict.fromkeys(("b", "strong"), "bold"),
    **dict.fromkeys(("i", "em"), "italic"),
    **dict.fromkeys(("u", "ins"), "underline"),
    **dict.fromkeys(("s", "strike", "del"), "strikethrough"),
    **dict.fromkeys(("tg-spoiler", "span"), "spoiler"),
}
_HTML_TAGS = frozenset({*_STYLE_ENTITIES, "a", "tg-emoji", "pre", "code", "blockquote"})
_INT64 = re.compile(r"-?[0-9]+")
_URL_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:(?![0-9])")  # "example.com:8080" has none


def _entities_error(detail: str) -> _ApiError:
    return _bad_request(f"can't parse entities: {detail}")


def _decode_html_entity(data: bytes, pos: int) -> tuple[int, int]:
    """tdlib's decode_html_entity: the code point of the reference at ``pos`` and the position after
    it, or (0, pos) when the ``&`` starts no supported reference and so stays a literal ``&``."""
    end = pos + 1
    if _byte(data, end) == ord("#"):
        end += 1
        digits, base = _DIGITS, 10
        if _byte(data, end) == ord("x"):
            end += 1
            digits, base = _HEX_DIGITS, 16
        start = end
        while _byte(data, end) in digits:
            end += 1
        code = int(data[start:end], base) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _byte(data, end) in _ALPHA:
            end += 1
        char = _NAMED_ENTITIES.get(data[pos + 1 : end])
        if char is None:
            return 0, pos
        code = ord(char)
    if _byte(data, end) == ord(";"):
        end += 1
    return code, end


def _byte(data: bytes, i: int) -> int:
    """The byte at ``i``, 0 past the end: tdlib reads a NUL-terminated string, and the port keeps
    its checks identical."""
    return data[i] if i < len(data) else 0


def _checked_link(url: str) -> str | None:
    """A simplified tdlib get_checked_link: Telegram silently drops a link it would not open, such as
    ``javascript:``; a link without a scheme is taken as http."""
    scheme = _URL_SCHEME.match(url)
    if scheme is None:
        url = "http://" + url
    elif scheme.group().lower() in ("tg:", "ton:"):
        return url
    elif scheme.group().lower() not in ("http:", "https:"):
        return None
    try:
        return url if urlsplit(url).hostname else None
    except ValueError:
        return None


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_start: int  # byte position in the visible text, for <a> without href


class _HtmlParser:
    """Turns Telegram HTML into visible text and entities, or raises the error Telegram answers.

    It works on UTF-8 bytes, like tdlib, so that the "byte offset" in errors matches Telegram's.
    """

    def __init__(self, html: str) -> None:
        self.data = html.encode()
        self.out = bytearray()
        self.utf16 = 0
        self.open_tags: list[_OpenTag] = []
        self.entities: list[JSONDict] = []

    def at(self, i: int) -> int:
        return _byte(self.data, i)

    def space_at(self, i: int) -> bool:
        return self.at(i) in _SPACES

    def parse(self) -> tuple[str, list[JSONDict]]:
        i = 0
        while i < len(self.data):
            c = self.data[i]
            if c == ord("&"):
                code, end = _decode_html_entity(self.data, i)
                if code:
                    if 0xD800 <= code <= 0xDFFF:
                        raise _entities_error(
                            "Text contains invalid Unicode characters after decoding HTML entities, "
                            "check for unmatched surrogate code units"
                        )
                    self.out += chr(code).encode()
                    self.utf16 += 1 + (code > 0xFFFF)
                    i = end
                    continue
            if c != ord("<"):
                if c & 0xC0 != 0x80:  # first byte of a character; 4-byte ones are surrogate pairs
                    self.utf16 += 1 + (c >= 0xF0)
                self.out.append(c)
                i += 1
                continue
            i = self._end_tag(i) if self.at(i + 1) == ord("/") else self._start_tag(i)
            i += 1  # past the '>'
        if self.open_tags:
            unclosed = self.open_tags[-1].name
            raise _entities_error(f'Can\'t find end tag corresponding to start tag "{unclosed}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return self.out.decode(), self.entities

    def _start_tag(self, begin: int) -> int:
        i = begin + 1
        while not self.space_at(i) and self.at(i) != ord(">"):
            i += 1
        if self.at(i) == 0:
            raise _entities_error(f"Unclosed start tag at byte offset {begin}")
        name = self.data[begin + 1 : i].decode(errors="replace").lower()
        if name not in _HTML_TAGS:
            raise _entities_error(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument = ""
        while self.at(i) != ord(">"):
            while self.at(i) != 0 and self.space_at(i):
                i += 1
            if self.at(i) == ord(">"):
                break
            attribute_begin = i
            while not self.space_at(i) and self.at(i) not in _ATTRIBUTE_NAME_END:
                i += 1
            attribute = self.data[attribute_begin:i]
            if not attribute:
                raise _entities_error(f'Empty attribute name in the tag "{name}" at byte offset {begin}')
            while self.at(i) != 0 and self.space_at(i):
                i += 1
            if self.at(i) != ord("="):
                if self.at(i) == 0:
                    raise _entities_error(f'Unclosed start tag "{name}" at byte offset {begin}')
                if name == "blockquote" and attribute == b"expandable":
                    argument = "1"
                continue
            i += 1
            while self.at(i) != 0 and self.space_at(i):
                i += 1
            if self.at(i) == 0:
                raise _entities_error(f'Unclosed start tag "{name}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if self.at(i) == 0:
                raise _entities_error(f"Unclosed start tag at byte offset {begin}")
            argument = _tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.open_tags.append(_OpenTag(name, argument, self.utf16, len(self.out)))
        return i

    def _attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in (ord('"'), ord("'")):  # a name token, case-insensitive
            start = i
            while self.at(i) in _NAME_TOKEN:
                i += 1
            if not self.space_at(i) and self.at(i) != ord(">"):
                raise _entities_error(f"Unexpected end of name token at byte offset {start}")
            return self.data[start:i].decode().lower(), i
        i += 1
        value = bytearray()
        while self.at(i) not in (quote, 0):
            if self.at(i) == ord("&"):
                code, end = _decode_html_entity(self.data, i)
                if code:
                    value += chr(code).encode(errors="surrogatepass")
                    i = end
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == quote:
            i += 1
        return value.decode(errors="replace"), i

    def _end_tag(self, begin: int) -> int:
        if not self.open_tags:
            raise _entities_error(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while not self.space_at(i) and self.at(i) != ord(">"):
            i += 1
        end_name = self.data[begin + 2 : i].decode(errors="replace").lower()
        while self.space_at(i) and self.at(i) != 0:
            i += 1
        if self.at(i) != ord(">"):
            raise _entities_error(f"Unclosed end tag at byte offset {begin}")
        tag = self.open_tags[-1]
        if end_name and end_name != tag.name:
            raise _entities_error(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", found "</{end_name}>"'
            )
        if self.utf16 > tag.utf16_offset:
            self._add_entity(tag)
        self.open_tags.pop()
        return i

    def _add_entity(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_offset, self.utf16 - tag.utf16_offset
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if tag.name in _STYLE_ENTITIES:
            entity: JSONDict = {"type": _STYLE_ENTITIES[tag.name]}
        elif tag.name == "tg-emoji":
            if not _INT64.fullmatch(tag.argument) or not 0 < abs(int(tag.argument)) < 2**63:
                raise _entities_error("Invalid custom emoji identifier specified")
            entity = {"type": "custom_emoji", "custom_emoji_id": tag.argument}
        elif tag.name == "a":
            url = _checked_link(tag.argument or self.out[tag.text_start :].decode())
            if url is None:
                return
            entity = {"type": "text_link", "url": url}
        elif tag.name == "pre":
            if same_span and last is not None and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"  # <pre><code class="language-x">: one pre entity with a language
                return
            entity = {"type": "pre"}
        elif tag.name == "code":
            if same_span and last is not None and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument
                return
            entity = {"type": "code", "language": tag.argument} if tag.argument else {"type": "code"}
        else:
            entity = {"type": "expandable_blockquote" if tag.argument else "blockquote"}
        self.entities.append({"offset": offset, "length": length, **entity})


def _tag_argument(tag: str, attribute: bytes, value: str, current: str) -> str:
    """The one attribute tdlib keeps for a tag; other attributes are ignored, as by Telegram."""
    if tag == "a" and attribute == b"href":
        return value
    if tag == "code" and attribute == b"class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == b"class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == b"emoji-id":
        return value
    if tag == "blockquote" and attribute == b"expandable":
        return "1"
    return current


def parse_html(html: str) -> tuple[str, list[JSONDict]]:
    """Telegram's HTML parse mode: the visible text and its entities (UTF-16 offsets), or the
    ``Bad Request: can't parse entities: ...`` error Telegram answers."""
    return _HtmlParser(html).parse()


# --- what Telegram does to every text: tdlib's fix_formatted_text ---------------------------------

_REMOVED_CHARS = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u030a\u0333\u033f")


def clean_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """The text and entities as Telegram stores them; raises "message text is empty" when nothing
    but spaces remains.

    Entities that do not start and end on character boundaries are dropped.
    """
    kept: list[str] = []
    new_offset = {0: 0}  # UTF-16 offset before cleaning -> after
    old = new = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        old += width
        if char not in _REMOVED_CHARS:
            kept.append(" " if ord(char) < 32 and char != "\n" else char)
            new += width
        new_offset[old] = new
    cleaned = "".join(kept)

    fixed: list[JSONDict] = []
    for entity in sorted(entities, key=lambda entity: (entity["offset"], -entity["length"])):
        start = new_offset.get(entity["offset"])
        end = new_offset.get(entity["offset"] + entity["length"])
        if start is not None and end is not None and _utf16_slice(cleaned, start, end).strip(" \n"):
            fixed.append({**entity, "offset": start, "length": end - start})

    body = cleaned.rstrip(" \n")
    if not body:
        raise _bad_request("message text is empty")
    end16 = utf16_len(body)
    lead = len(body) - len(body.lstrip(" \n"))
    if fixed:  # tdlib never trims into an entity
        lead = min(lead, fixed[0]["offset"])
    trimmed = []
    for entity in fixed:
        length = min(entity["offset"] + entity["length"], end16) - entity["offset"]
        trimmed.append({**entity, "offset": entity["offset"] - lead, "length": length})
    return body[lead:], trimmed


def _formatted_text(params: JSONDict, key: str = "text") -> tuple[str, list[JSONDict]]:
    """The visible text and entities of a text parameter, checked like Telegram checks it."""
    raw = params.get(key)
    if raw is None or raw == "":
        raise _bad_request("message text is empty")
    parse_mode = params.get("parse_mode") or ""
    if not parse_mode:
        text, entities = str(raw), list(params.get("entities") or [])
    elif parse_mode.lower() == "html":
        text, entities = parse_html(str(raw))
    else:
        raise _bad_request(f"the fake Bot API models only the HTML parse mode, not {parse_mode!r}")
    text, entities = clean_text(text, entities)
    if len(text) > MAX_TEXT_LENGTH:
        raise _bad_request("message is too long")
    return text, entities


def _checked_markup(markup: Any) -> JSONDict | None:
    """The reply markup if Telegram accepts it; inline buttons must act and carry 1-64 bytes of data."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not _BUTTON_ACTIONS & button.keys():
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
    return markup


# --- user text: the entities Telegram adds (tdlib's match_bot_commands and match_mentions) --------

_BOT_COMMAND = re.compile(
    r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?![A-Za-z0-9_])(?:@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_]))?(?![\w/<>@])"
)
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")
_URL = re.compile(r"https?://[^\s<>\"]+(?<![.,;:!?)\]])", re.IGNORECASE)


def auto_entities(text: str) -> list[JSONDict]:
    """The bot_command, mention and url entities Telegram attaches to a user's message (links with a
    scheme only), in UTF-16 units."""
    spans = [(m.start(), m.end(), "bot_command") for m in _BOT_COMMAND.finditer(text)]
    spans += [(m.start(), m.end(), "url") for m in _URL.finditer(text)]
    spans += [
        (m.start(), m.end(), "mention")
        for m in _MENTION.finditer(text)
        if not any(start <= m.start() < end for start, end, _ in spans)  # "/ask@bot" is one command
    ]
    return [
        {"offset": utf16_len(text[:start]), "length": utf16_len(text[start:end]), "type": kind}
        for start, end, kind in sorted(spans)
    ]


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        return self.headers.get("connection", "").lower() != "close"


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """One HTTP/1.1 request with a Content-Length body, or None when the client closed."""
    request_line = await reader.readline()
    if not request_line:
        return None
    _method, target, _version = request_line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return _Request(target, headers, body)


def _http_response(
    status: int, body: bytes, keep_alive: bool, content_type: str = "application/json"
) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # a string field not listed above, e.g. chat_id "@channel"


def _request_params(content_type: str, body: bytes, query: str) -> JSONDict:
    """Parameters from the query string and a JSON, url-encoded or multipart body, as Telegram takes them."""
    params = {name: _form_value(name, value) for name, value in parse_qsl(query, keep_blank_values=True)}
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and body:
        params.update(json.loads(body))
    elif media_type == "application/x-www-form-urlencoded":
        form = parse_qsl(body.decode(), keep_blank_values=True)
        params.update((name, _form_value(name, value)) for name, value in form)
    elif media_type == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True) or b""
            params[name] = payload if part.get_filename() else _form_value(name, payload.decode())
    return params


# --- the server -----------------------------------------------------------------------------------


@dataclass
class _Stored:
    """A message in a chat: the Message object as Telegram returns it, and for the bot's own
    messages the text exactly as the bot sent it."""

    message: JSONDict
    from_bot: bool
    raw_text: str | None = None
    parse_mode: str | None = None


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int
    description: str | None

    def error(self) -> _ApiError:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            description = self.description or f"Too Many Requests: retry after {self.retry_after}"
            return _ApiError(self.status, description, {"retry_after": self.retry_after})
        return _ApiError(self.status, self.description or HTTPStatus(self.status).phrase)


ChaosFault = Literal["500", "502", "503", "429", "timeout", "drop"]
CHAOS_FAULTS: tuple[ChaosFault, ...] = ("500", "502", "503", "429", "timeout", "drop")


@dataclass
class _Chaos:
    """Random faults for a while: each request is disturbed with probability ``rate``."""

    rng: random.Random
    rate: float
    faults: tuple[ChaosFault, ...]
    remaining: int | None  # faults left to inject; None: until calm()
    hang: float  # seconds a "timeout" holds the request before closing the connection

    def pick(self) -> ChaosFault | None:
        if self.remaining == 0 or self.rng.random() >= self.rate:
            return None
        if self.remaining is not None:
            self.remaining -= 1
        return self.rng.choice(self.faults)


def _captioned(content: JSONDict, caption: str | None) -> JSONDict:
    """A media message's content with its caption (captions get command and mention entities)."""
    if caption:
        content["caption"] = caption
        if entities := auto_entities(caption):
            content["caption_entities"] = entities
    return content


def _now() -> int:
    return int(time.time())


def _int_param(params: JSONDict, name: str) -> int:
    try:
        return int(params[name])
    except (KeyError, TypeError, ValueError):
        raise _bad_request(f"{name} is empty") from None


class FakeTelegram:
    """A Telegram Bot API server on 127.0.0.1 that tests drive as users and observe as Telegram.

    Driving methods (``send_text``, ``press_button``, ...) are synchronous: they enqueue an update,
    which a waiting ``getUpdates`` long poll returns at once. Observe the bot through ``calls``,
    ``wait_for`` and ``messages_in``.
    """

    def __init__(
        self,
        *,
        token: str,
        bot_username: str = "sanad_test_bot",
        bot_id: int = 999000111,
        privacy_mode: bool = True,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.privacy_mode = privacy_mode
        self.latency = latency  # seconds added before every answer, for load tests
        self.calls: list[Call] = []
        self.webhook_url = ""

        self._server: asyncio.Server | None = None
        self._port = 0
        self._connections: set[asyncio.Task[Any]] = set()
        self._call_recorded = asyncio.Condition()
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._chaos: _Chaos | None = None
        self.injected: list[tuple[str, ChaosFault]] = []  # (method, fault) as chaos injected them

        self._updates: list[JSONDict] = []
        self.update_log: list[tuple[float, JSONDict]] = []  # (time.monotonic(), update) as enqueued
        self._last_update_id = 0
        self._update_arrived = asyncio.Event()
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set

        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._members: defaultdict[int, set[int]] = defaultdict(set)
        self._admins: defaultdict[int, dict[int, JSONDict]] = defaultdict(dict)
        self._messages: defaultdict[int, dict[int, _Stored]] = defaultdict(dict)
        self._last_message_id: defaultdict[int, int] = defaultdict(int)
        self._ids = itertools.count(4_000_000_001)  # callback/inline query ids, file ids
        self._open_callback_queries: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._files: dict[str, tuple[JSONDict, bytes]] = {}  # file_id -> (File object, content)
        self.downloads: list[str] = []  # file paths the bot downloaded
        self.reactions: dict[tuple[int, int], list[str]] = {}  # (chat id, message id) -> the bot's emoji

        methods: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getFile": self._get_file,
            "setMessageReaction": self._set_message_reaction,
        }
        # Telegram matches method names case-insensitively.
        self._methods = {name.lower(): (name, handler) for name, handler in methods.items()}

    # --- lifecycle ---

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        self._server = await asyncio.start_server(self._serve_connection, "127.0.0.1", 0)
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop open connections, including pending long polls."""
        if self._server is None:
            return
        self._server.close()
        connections = list(self._connections)
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The value for ``ApplicationBuilder().base_url``; PTB appends ``{token}/{method}``."""
        return f"http://127.0.0.1:{self._started_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """The value for ``ApplicationBuilder().base_file_url``, so no download leaves the machine."""
        return f"http://127.0.0.1:{self._started_port()}/file/bot"

    def _started_port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    # --- driving the bot, as Telegram users would ---

    def send_text(
        self,
        chat: Chat,
        user: User,
        text: str,
        *,
        reply_to: int | None = None,
        entities: list[JSONDict] | None = None,
        forwarded_from: User | Chat | None = None,
        forwarded_post: int = 1,
    ) -> int:
        """A user writes ``text``; returns its message_id. Commands and mentions get their entities
        unless ``entities`` is given. ``forwarded_from`` makes it a forward of a user's or a channel's
        message (the channel's post number ``forwarded_post``). In a group under privacy mode the bot
        may not see it."""
        content: JSONDict = {"text": text}
        if forwarded_from is not None:
            content["forward_origin"] = _forward_origin(forwarded_from, forwarded_post)
        if entities is None:
            entities = auto_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(chat, user, content, reply_to)

    def edit_text(self, chat: Chat, user: User, message_id: int, text: str) -> None:
        """The user edits one of their text messages; the bot gets an edited_message update."""
        stored = self._messages[chat.id].get(message_id)
        if stored is None or stored.message["from"]["id"] != user.id or "text" not in stored.message:
            raise ValueError(f"user {user.id} has no text message {message_id} in chat {chat.id}")
        stored.message["text"] = text
        stored.message.pop("entities", None)
        if entities := auto_entities(text):
            stored.message["entities"] = entities
        stored.message["edit_date"] = _now()
        if self._bot_sees(stored.message):
            self._enqueue("edited_message", stored.message)

    def send_sticker(self, chat: Chat, user: User, *, emoji: str = "👍", reply_to: int | None = None) -> int:
        """A user sends a sticker, a message without text."""
        file_id = next(self._ids)
        sticker = {
            "file_id": f"sticker-{file_id}",
            "file_unique_id": f"u-sticker-{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._user_message(chat, user, {"sticker": sticker}, reply_to)

    def send_photo(
        self,
        chat: Chat,
        user: User,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
        data: bytes | None = None,
    ) -> int:
        """A user sends a photo, optionally captioned (captions get command and mention entities).
        With `data` (the image's bytes), its largest size can be downloaded with getFile."""
        file_id = next(self._ids)
        sizes = [
            {"file_id": f"photo-{file_id}-{w}", "file_unique_id": f"u{file_id}-{w}", "width": w, "height": h}
            for w, h in [(90, 67), (800, 600)]
        ]
        if data is not None:
            largest = sizes[-1] | {"file_size": len(data)}
            sizes[-1] = largest
            path = f"photos/file_{file_id}.jpg"
            self._files[largest["file_id"]] = ({**largest, "file_path": path}, data)
        return self._user_message(chat, user, _captioned({"photo": sizes}, caption), reply_to)

    def post_in_channel(
        self,
        channel: Chat,
        text: str,
        *,
        entities: list[JSONDict] | None = None,
        forwarded_from: User | Chat | None = None,
    ) -> int:
        """The channel posts ``text`` (as its admins do: signed by the channel, with no user); the bot
        gets a channel_post update when it is one of the channel's administrators."""
        if channel.type != "channel":
            raise ValueError("post_in_channel needs a channel")
        self._chats.setdefault(channel.id, self._group_dict(channel))
        message: JSONDict = {
            "message_id": self._next_message_id(channel.id),
            "sender_chat": self._chats[channel.id],
            "chat": self._chats[channel.id],
            "date": _now(),
            "text": text,
        }
        if forwarded_from is not None:
            message["forward_origin"] = _forward_origin(forwarded_from)
        if entities := (auto_entities(text) if entities is None else entities):
            message["entities"] = entities
        self._messages[channel.id][message["message_id"]] = _Stored(message, from_bot=False)
        if self.bot_id in self._admins.get(channel.id, {}):
            self._enqueue("channel_post", message)
        return message["message_id"]

    def send_document(
        self,
        chat: Chat,
        user: User,
        file_name: str,
        data: bytes,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> int:
        """A user sends a file; the bot can fetch its bytes with getFile and the file URL."""
        number = next(self._ids)
        document = {
            "file_id": f"document-{number}",
            "file_unique_id": f"u-document-{number}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        path = f"documents/file_{number}{Path(file_name).suffix}"
        self._files[document["file_id"]] = ({**document, "file_path": path}, data)
        return self._user_message(chat, user, _captioned({"document": document}, caption), reply_to)

    def press_button(self, chat: Chat, user: User, message_id: int, callback_data: str) -> str:
        """The user presses an inline button of a bot message; returns the callback query id.

        Only a button that is on the message now can be pressed, as in a real client.
        """
        stored = self._messages[chat.id].get(message_id)
        keyboard = (stored.message.get("reply_markup") or {}).get("inline_keyboard", []) if stored else []
        pressable = any(button.get("callback_data") == callback_data for row in keyboard for button in row)
        if stored is None or not pressable:
            raise ValueError(f"message {message_id} in chat {chat.id} has no button {callback_data!r}")
        query_id = str(next(self._ids))
        self._open_callback_queries.add(query_id)
        self._register(chat, user)
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": stored.message,
                "chat_instance": f"instance{chat.id}",
                "data": callback_data,
            },
        )
        return query_id

    def forge_callback(
        self, user: User, data: str, *, chat: Chat | None = None, message_id: int | None = None
    ) -> str:
        """What a modified client can send: a callback query with any ``data``, for any message of
        ``chat`` (button or not), or with no message at all (as for an inline message) when ``chat``
        is None. Returns the callback query id."""
        query_id = str(next(self._ids))
        self._open_callback_queries.add(query_id)
        self._users[user.id] = user.to_dict()
        query: JSONDict = {"id": query_id, "from": user.to_dict(), "data": data}
        if chat is None:
            query |= {"inline_message_id": f"inline-{query_id}", "chat_instance": f"instance-{user.id}"}
        else:
            stored = self._messages[chat.id].get(message_id if message_id is not None else -1)
            if stored is None:
                raise ValueError(f"no message {message_id} in chat {chat.id}")
            self._register(chat, user)
            query |= {"message": stored.message, "chat_instance": f"instance{chat.id}"}
        self._enqueue("callback_query", query)
        return query_id

    def inline_query(self, user: User, query: str, *, offset: str = "") -> str:
        """The user types ``@bot query`` in any chat; returns the inline query id."""
        if len(query) > MAX_INLINE_QUERY_LENGTH:
            raise ValueError(f"Telegram clients send at most {MAX_INLINE_QUERY_LENGTH} characters")
        query_id = str(next(self._ids))
        self._open_inline_queries.add(query_id)
        self._users[user.id] = user.to_dict()
        query_update = {"id": query_id, "from": user.to_dict(), "query": query, "offset": offset}
        self._enqueue("inline_query", query_update)
        return query_id

    @property
    def updates_sent(self) -> int:
        """How many updates Telegram has had for the bot so far."""
        return self._last_update_id

    def take_updates(self) -> list[JSONDict]:
        """Remove and return the updates not yet confirmed, as if an earlier bot process had fetched
        and confirmed them, then died: only its journal still has them."""
        taken, self._updates = self._updates, []
        return taken

    def set_admins(self, chat: Chat, *users: User, bot: bool = False) -> None:
        """Make ``users`` (and the bot itself when ``bot``) the administrators of a group chat."""
        if chat.type == "private":
            raise ValueError("a private chat has no administrators")
        for user in users:
            self._register(chat, user)
        self._chats.setdefault(chat.id, self._group_dict(chat))
        admins = {user.id: user.to_dict() for user in users}
        if bot:
            admins[self.bot_id] = self._bot_user()
        self._admins[chat.id] = admins

    # --- observing the bot ---

    async def wait_for(
        self, predicate: str | Callable[[Call], bool], timeout: float = 10.0, *, since: int = 0
    ) -> Call:
        """The first call from ``calls[since:]`` that matches, waiting for it if need be.

        ``predicate`` is a method name or a function of a Call; pass ``since=len(fake.calls)`` to
        ignore what happened before.
        """
        matches = (lambda call: call.method == predicate) if isinstance(predicate, str) else predicate

        def first_match() -> Call | None:
            return next((call for call in self.calls[since:] if matches(call)), None)

        async with self._call_recorded:
            try:
                async with asyncio.timeout(timeout):
                    return cast(Call, await self._call_recorded.wait_for(first_match))
            except TimeoutError:
                seen = ", ".join(f"{call.method}:{call.status}" for call in self.calls[since:][-20:])
                raise TimeoutError(f"no matching Bot API call within {timeout} s; calls: {seen}") from None

    def messages_in(self, chat_id: int) -> list[JSONDict]:
        """The bot's messages in a chat as users see them now (after edits, without deleted ones).

        Each is the Message object (visible ``text``, ``entities``, ``reply_markup``, ...) plus
        ``raw_text`` and ``parse_mode`` exactly as the bot last sent them.
        """
        return [
            {**copy.deepcopy(stored.message), "raw_text": stored.raw_text, "parse_mode": stored.parse_mode}
            for stored in self._messages[chat_id].values()
            if stored.from_bot
        ]

    def commands_for(self, *, language_code: str = "", scope: JSONDict | None = None) -> list[JSONDict]:
        """The command list the bot set for a scope (default scope when None) and language."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # --- fault injection ---

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error instead of running them.

        429 carries ``parameters.retry_after`` (PTB raises RetryAfter; with retry_after 0 it would
        not); 500 and 502 surface in PTB as NetworkError.
        """
        self._faults[method.lower()].extend([_Fault(status, retry_after, description)] * times)

    def start_chaos(
        self,
        *,
        seed: int,
        rate: float = 0.3,
        faults: tuple[ChaosFault, ...] = CHAOS_FAULTS,
        limit: int | None = None,
        hang: float = 8.0,
    ) -> None:
        """Disturb a random share ``rate`` of the requests from now on, until ``calm()`` or until
        ``limit`` faults have been injected.

        Faults: "500", "502", "503" (PTB raises NetworkError), "429" (retry_after 1 or 2 s,
        PTB raises RetryAfter), "timeout" (no answer for ``hang`` seconds, longer than PTB's 5 s
        read timeout, then the connection closes), "drop" (the connection closes at once, without
        an answer). Each is recorded in ``calls`` with status 0 for the last two, and in ``injected``.
        """
        self._chaos = _Chaos(random.Random(seed), rate, faults, limit, hang)

    def calm(self) -> None:
        """End ``start_chaos``: every request is served again."""
        self._chaos = None

    @property
    def chaotic(self) -> bool:
        """Whether chaos may still inject faults."""
        return self._chaos is not None and self._chaos.remaining != 0

    # --- internals: chats, messages, updates ---

    def _bot_user(self) -> JSONDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Sanad test", "username": self.bot_username}

    @staticmethod
    def _group_dict(chat: Chat) -> JSONDict:
        return {"id": chat.id, "type": chat.type, "title": chat.title or f"Test {chat.type}"}

    def _register(self, chat: Chat, user: User) -> JSONDict:
        """Remember a chat and a user in it; a private chat carries its user's name, as in Telegram."""
        self._users[user.id] = user.to_dict()
        self._members[chat.id].add(user.id)
        if chat.id not in self._chats:
            if chat.type == "private":
                private = {"id": chat.id, "type": "private", "first_name": user.first_name}
                self._chats[chat.id] = private | ({"username": user.username} if user.username else {})
            else:
                self._chats[chat.id] = self._group_dict(chat)
        return self._chats[chat.id]

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] += 1
        return self._last_message_id[chat_id]

    def _user_message(self, chat: Chat, user: User, content: JSONDict, reply_to: int | None) -> int:
        message: JSONDict = {
            "message_id": self._next_message_id(chat.id),
            "from": user.to_dict(),
            "chat": self._register(chat, user),
            "date": _now(),
            **content,
        }
        if reply_to is not None:
            replied = self._messages[chat.id].get(reply_to)
            if replied is None:
                raise ValueError(f"no message {reply_to} in chat {chat.id} to reply to")
            message["reply_to_message"] = _without_reply(replied.message)
        self._messages[chat.id][message["message_id"]] = _Stored(message, from_bot=False)
        if self._bot_sees(message):
            self._enqueue("message", message)
        return message["message_id"]

    def _bot_sees(self, message: JSONDict) -> bool:
        """Group privacy mode: commands (to any bot or to this one), @mentions of the bot and
        replies to its messages reach it; other group chatter does not, unless it is an admin."""
        chat = message["chat"]
        bot_is_admin = self.bot_id in self._admins.get(chat["id"], {})
        if chat["type"] == "private" or not self.privacy_mode or bot_is_admin:
            return True
        replied = message.get("reply_to_message")
        if replied is not None and replied["from"]["id"] == self.bot_id:
            return True
        text = message.get("text", message.get("caption", ""))
        for entity in message.get("entities", message.get("caption_entities", [])):
            value = _utf16_slice(text, entity["offset"], entity["offset"] + entity["length"])
            if entity["type"] == "bot_command":
                addressee = value.partition("@")[2].lower()
                if addressee in ("", self.bot_username.lower()):
                    return True
            elif entity["type"] == "mention" and value[1:].lower() == self.bot_username.lower():
                return True
        return False

    def _enqueue(self, kind: str, payload: JSONDict) -> None:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self.update_log.append((time.monotonic(), update))
        self._update_arrived.set()

    def _wanted(self, update: JSONDict) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _known_chat(self, params: JSONDict) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        try:
            chat_id = int(chat_id)
        except (TypeError, ValueError):
            raise _bad_request("chat not found") from None
        if chat_id not in self._chats:  # a user must have written first, as in Telegram
            raise _bad_request("chat not found")
        return chat_id

    def _reply_fields(self, chat_id: int, params: JSONDict) -> JSONDict:
        """reply_to_message (and quote) for a bot message, checked like Telegram checks them."""
        reply = params.get("reply_parameters")
        if reply is None and "reply_to_message_id" in params:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return {}
        target = self._messages[int(reply.get("chat_id", chat_id))].get(_int_param(reply, "message_id"))
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return {}
            raise _bad_request("message to be replied not found")
        fields: JSONDict = {"reply_to_message": _without_reply(target.message)}
        if (quote := reply.get("quote")) is not None:
            if (reply.get("quote_parse_mode") or "").lower() == "html":
                quote = parse_html(quote)[0]
            source = target.message.get("text", target.message.get("caption", ""))
            position = source.find(quote)
            if position < 0 or not quote.strip() or len(quote) > MAX_QUOTE_LENGTH:
                raise _bad_request("QUOTE_TEXT_INVALID")
            fields["quote"] = {"text": quote, "position": utf16_len(source[:position]), "is_manual": True}
        return fields

    def _editable(self, params: JSONDict) -> _Stored:
        if "inline_message_id" in params:
            raise _bad_request("the fake Bot API does not model edits by inline_message_id")
        chat_id = self._known_chat(params)
        stored = self._messages[chat_id].get(_int_param(params, "message_id"))
        if stored is None:
            raise _bad_request("message to edit not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        return stored

    @staticmethod
    def _apply_edit(stored: _Stored, changes: JSONDict) -> JSONDict:
        """Apply an edit; Telegram refuses one that changes nothing. Returns the edited message."""
        wanted = {key: value or None for key, value in changes.items()}  # [] entities == none
        if wanted == {key: stored.message.get(key) for key in changes}:
            raise _bad_request(_NOT_MODIFIED)
        for key, value in wanted.items():
            if value is None:
                stored.message.pop(key, None)
            else:
                stored.message[key] = value
        stored.message["edit_date"] = _now()
        return stored.message

    def _chat_member(self, chat_id: int, user_id: int) -> JSONDict:
        admin = self._admins.get(chat_id, {}).get(user_id)
        if admin is not None:
            return {"status": "administrator", "user": admin, **_ADMIN_RIGHTS}
        user = self._bot_user() if user_id == self.bot_id else self._users.get(user_id)
        if user is None:
            raise _bad_request("user not found")
        present = user_id == self.bot_id or user_id in self._members[chat_id]
        return {"status": "member" if present else "left", "user": user}

    @staticmethod
    def _commands_key(scope: JSONDict | None, language_code: str) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code

    # --- internals: HTTP ---

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = cast("asyncio.Task[Any]", asyncio.current_task())
        self._connections.add(task)
        try:
            while (request := await _read_request(reader)) is not None:
                if request.target.startswith("/file/"):
                    status, body = self._download(request.target.partition("?")[0])
                    kind = "application/octet-stream" if status == 200 else "application/json"
                    writer.write(_http_response(status, body, request.keep_alive, kind))
                else:
                    fault = self._chaos.pick() if self._chaos else None
                    if fault is not None:
                        await self._record_fault(request, fault)
                    if fault == "drop":
                        break
                    if fault == "timeout":
                        await asyncio.sleep(self._chaos.hang if self._chaos else 8.0)
                        break
                    status, body = await self._respond(request, fault)
                    writer.write(_http_response(status, body, request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # the client went away, as PTB does when it cancels a long poll, or sent garbage
        except asyncio.CancelledError:
            pass  # stop(); ending normally, as asyncio 3.11 logs an error for a cancelled connection task
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _download(self, path: str) -> tuple[int, bytes]:
        """GET /file/bot<token>/<file_path>: the bytes of a file a user sent."""
        prefix = f"/file/bot{self.token}/"
        path = unquote(path)  # clients escape the token's colon
        file_path = path.removeprefix(prefix)
        found = [content for file, content in self._files.values() if file["file_path"] == file_path]
        if not path.startswith(prefix) or not found:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        self.downloads.append(file_path)
        return 200, found[0]

    async def _record_fault(self, request: _Request, fault: ChaosFault) -> None:
        method = request.target.partition("?")[0].rpartition("/")[2]
        name = self._methods.get(method.lower(), (method, None))[0]
        self.injected.append((name, fault))
        if fault in ("drop", "timeout"):
            params = _request_params(request.headers.get("content-type", ""), request.body, "")
            response = {"ok": False, "error_code": 0, "description": f"chaos: {fault}"}
            self.calls.append(Call(name, params, time.monotonic(), 0, response))
            async with self._call_recorded:
                self._call_recorded.notify_all()

    async def _respond(self, request: _Request, fault: ChaosFault | None = None) -> tuple[int, bytes]:
        arrived = time.monotonic()
        if self.latency:
            await asyncio.sleep(self.latency)
        path, _, query = request.target.partition("?")
        prefix, _, method = path.rpartition("/")
        name = self._methods.get(method.lower(), (method, None))[0]
        params: JSONDict = {}
        try:
            params = _request_params(request.headers.get("content-type", ""), request.body, query)
            if fault is not None:  # chaos: a status fault, before the method runs
                retry_after = 1 + (self._chaos.rng.random() < 0.5) if self._chaos else 1
                raise _Fault(int(fault), retry_after, None).error()
            result = await self._call(prefix, method, params)
            status, response = 200, {"ok": True, "result": result}
        except _ApiError as error:
            status, response = error.code, error.to_response()
        except Exception as error:  # a bug in the fake: answer like a broken server, keep it visible
            _LOG.exception("fake Telegram failed on %s", name)
            status = 500
            response = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {error!r}"}
        body = json.dumps(response, ensure_ascii=False).encode()
        self.calls.append(Call(name, params, arrived, status, json.loads(body)))
        async with self._call_recorded:
            self._call_recorded.notify_all()
        return status, body

    async def _call(self, prefix: str, method: str, params: JSONDict) -> Any:
        if prefix != f"/bot{self.token}":
            raise _ApiError(401, "Unauthorized") if prefix.startswith("/bot") else _ApiError(404, "Not Found")
        faults = self._faults.get(method.lower())
        if faults:
            raise faults.popleft().error()
        if method.lower() not in self._methods:
            raise _ApiError(404, "Not Found")
        return await self._methods[method.lower()][1](params)

    # --- Bot API methods ---

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long poll: confirm updates below ``offset``, then answer as soon as one is pending or
        ``timeout`` seconds have passed. A newer poll ends an older one with 409, like Telegram."""
        if self.webhook_url:
            raise _ApiError(409, _WEBHOOK_ACTIVE)
        offset = int(params.get("offset", 0))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        if offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        self._poll_generation += 1
        generation = self._poll_generation
        self._update_arrived.set()  # wakes an older poll, which then answers 409
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(409, _OTHER_POLL)
            self._updates = [update for update in self._updates if self._wanted(update)]
            remaining = deadline - asyncio.get_running_loop().time()
            if self._updates or remaining <= 0:
                return self._updates[:limit]
            self._update_arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._update_arrived.wait()

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        return await self._set_webhook({**params, "url": ""})

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        pending = len(self._updates)
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": pending}

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params.get("scope"), params.get("language_code", ""))] = commands
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands_for(language_code=params.get("language_code", ""), scope=params.get("scope"))

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._known_chat(params)
        text, entities = _formatted_text(params)
        markup = _checked_markup(params.get("reply_markup"))
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": self._chats[chat_id],
            "date": _now(),
            "text": text,
            **self._reply_fields(chat_id, params),
        }
        if entities:
            message["entities"] = entities
        if markup is not None and "inline_keyboard" in markup:  # Telegram echoes inline keyboards only
            message["reply_markup"] = markup
        if "link_preview_options" in params:
            message["link_preview_options"] = params["link_preview_options"]
        self._messages[chat_id][message["message_id"]] = _Stored(
            message, from_bot=True, raw_text=str(params["text"]), parse_mode=params.get("parse_mode")
        )
        return message

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        """Edit a bot message's text. Without reply_markup the inline keyboard goes away, as in Telegram."""
        stored = self._editable(params)
        if "text" not in stored.message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = _formatted_text(params)
        markup = _checked_markup(params.get("reply_markup"))
        edited = self._apply_edit(stored, {"text": text, "entities": entities, "reply_markup": markup})
        stored.raw_text, stored.parse_mode = str(params["text"]), params.get("parse_mode")
        return edited

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        stored = self._editable(params)
        return self._apply_edit(stored, {"reply_markup": _checked_markup(params.get("reply_markup"))})

    async def _delete_message(self, params: JSONDict) -> bool:
        chat_id = self._known_chat(params)
        message_id = _int_param(params, "message_id")
        stored = self._messages[chat_id].get(message_id)
        if stored is None:
            raise _bad_request("message to delete not found")
        in_group = self._chats[chat_id]["type"] != "private"
        if not stored.from_bot and in_group and self.bot_id not in self._admins.get(chat_id, {}):
            raise _bad_request("message can't be deleted")
        del self._messages[chat_id][message_id]
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._known_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callback_queries:
            raise _bad_request(_QUERY_TOO_OLD)
        if len(str(params.get("text", ""))) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._open_callback_queries.remove(query_id)
        return True

    async def _answer_inline_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self._open_inline_queries:
            raise _bad_request(_QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if any(not 1 <= len(result_id.encode()) <= MAX_RESULT_ID_BYTES for result_id in ids):
            raise _bad_request("RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise _bad_request("RESULT_ID_DUPLICATE")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                _formatted_text(content, "message_text")
            _checked_markup(result.get("reply_markup"))
        self._open_inline_queries.remove(query_id)
        return True

    async def _get_chat_member(self, params: JSONDict) -> JSONDict:
        return self._chat_member(self._known_chat(params), _int_param(params, "user_id"))

    async def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        file, content = stored
        if len(content) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return dict(file)

    async def _set_message_reaction(self, params: JSONDict) -> bool:
        """The bot's reactions on a message, replacing its earlier ones; emoji outside Telegram's list
        are refused."""
        chat_id = self._known_chat(params)
        message_id = _int_param(params, "message_id")
        if message_id not in self._messages[chat_id]:
            raise _bad_request("message to react not found")
        emoji = []
        for reaction in params.get("reaction") or []:
            if reaction.get("type") != "emoji" or reaction.get("emoji") not in REACTION_EMOJI:
                raise _bad_request("REACTION_INVALID")
            emoji.append(reaction["emoji"])
        self.reactions[(chat_id, message_id)] = emoji
        return True

    async def _get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        chat_id = self._known_chat(params)
        if self._chats[chat_id]["type"] == "private":
            raise _bad_request("there are no administrators in the private chat")
        return [self._chat_member(chat_id, user_id) for user_id in self._admins.get(chat_id, {})]


def _forward_origin(source: User | Chat, post_id: int = 1) -> JSONDict:
    """MessageOrigin of a forward: a user's message, or the channel's post `post_id`."""
    if isinstance(source, User):
        return {"type": "user", "date": _now(), "sender_user": source.to_dict()}
    chat = {"id": source.id, "type": "channel", "title": source.title or "Channel"}
    return {"type": "channel", "date": _now(), "chat": chat, "message_id": post_id}


def _without_reply(message: JSONDict) -> JSONDict:
    """A snapshot of a message for reply_to_message, which Telegram never nests further."""
    return copy.deepcopy({key: value for key, value in message.items() if key != "reply_to_message"})
