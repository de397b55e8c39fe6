"""The bot's settings: one frozen `BotSettings`, read once from the environment and passed down.

Environment (an optional `.env` in the working directory is loaded by the command line first):

    TELEGRAM_BOT_TOKEN       the token @BotFather gave the bot (required to run it)
    TELEGRAM_API_BASE_URL    Bot API server, default Telegram's; a self-hosted server's root works too
    TELEGRAM_API_FILE_URL    file download URL, default derived from the base URL
    SANAD_ALLOWED_CHATS      comma-separated chat and user ids allowed to use the bot; empty: everyone
    TELEGRAM_WEBHOOK_SECRET  secret for `sanad bot --webhook` when --secret-token is not given
    SANAD_GROUP_EDITORS      who may add and remove a group's articles: "admins" (default) or "everyone"
    SANAD_ARTICLE_MIN_CHARS  pasted text at least this long is offered for adding, not answered (600)
    SANAD_REFUSED_REPLY      what a private chat outside SANAD_ALLOWED_CHATS is told (at most hourly):
                             empty for the built-in sentence in the user's language, "off" for nothing
    SANAD_BOT_STATE          the bot's journal and button memory (default <SANAD_CHATS>/bot.sqlite)
    SANAD_DATA, SANAD_MODEL, SANAD_MODEL_CACHE, SANAD_BACKEND, SANAD_ONNX_THREADS, SANAD_TOP_K,
    SANAD_MIN_SCORE: see `index.IndexSettings`

Error messages never contain the token: a malformed one may still be a real one with a typo.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast, get_args
from urllib.parse import urlsplit

from index import IndexSettings, SanadError

TELEGRAM_API = "https://api.telegram.org/bot"
BOTFATHER = "Get one from @BotFather (https://t.me/BotFather): send /newbot, or /token for an existing bot."

# "<bot id>:<secret>", as BotFather issues them (the secret is 35 characters today; be lenient).
_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

Editors = Literal["admins", "everyone"]


class BotSettingsError(SanadError):
    """A bot setting is missing or malformed; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class BotSettings:
    """Everything the bot needs to know before it starts."""

    token: str = field(repr=False)
    api_base_url: str
    api_file_url: str
    allowed_chats: frozenset[int]
    index: IndexSettings
    group_editors: Editors = "admins"
    article_min_chars: int = 600
    refused_reply: str = ""  # "" the built-in sentence, "off" nothing, else this text
    state_path: Path | None = None  # None: bot.sqlite beside the chats' libraries
    watch_per_hour: int = 60  # articles a watched chat adds per hour at most (SANAD_WATCH_PER_HOUR)
    # With SANAD_DATABASE_URL (bot/workers.py): updates one process answers at once, and how long a
    # claimed update stays a worker's after its last renewal (a dead worker's go to another after it).
    worker_slots: int = 8  # SANAD_WORKER_SLOTS
    lease_seconds: int = 30  # SANAD_LEASE_SECONDS

    @property
    def quotes_per_answer(self) -> int:
        """How many quotes an answer shows (SANAD_TOP_K)."""
        return self.index.top_k

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, index: IndexSettings | None = None
    ) -> BotSettings:
        """Read the settings from `env` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        base_url = api_base_url(env.get("TELEGRAM_API_BASE_URL", ""))
        return cls(
            token=check_token(env.get("TELEGRAM_BOT_TOKEN", "")),
            api_base_url=base_url,
            api_file_url=env.get("TELEGRAM_API_FILE_URL", "").strip() or api_file_url(base_url),
            allowed_chats=parse_allowed_chats(env.get("SANAD_ALLOWED_CHATS", "")),
            index=index or IndexSettings.from_env(env),
            group_editors=parse_editors(env.get("SANAD_GROUP_EDITORS", "")),
            article_min_chars=parse_count(
                env.get("SANAD_ARTICLE_MIN_CHARS", ""), "SANAD_ARTICLE_MIN_CHARS", 600
            ),
            watch_per_hour=parse_count(env.get("SANAD_WATCH_PER_HOUR", ""), "SANAD_WATCH_PER_HOUR", 60),
            worker_slots=parse_count(env.get("SANAD_WORKER_SLOTS", ""), "SANAD_WORKER_SLOTS", 8),
            lease_seconds=parse_count(env.get("SANAD_LEASE_SECONDS", ""), "SANAD_LEASE_SECONDS", 30),
            refused_reply=" ".join(env.get("SANAD_REFUSED_REPLY", "").split()),
            state_path=Path(state) if (state := env.get("SANAD_BOT_STATE", "").strip()) else None,
        )

    def allows(self, *ids: int | None) -> bool:
        """Whether an update from this chat or user may be served: anyone when the allow-list is empty."""
        return not self.allowed_chats or any(i in self.allowed_chats for i in ids if i is not None)


def check_token(value: str) -> str:
    """The token with surrounding spaces removed, or an error that says where to get one."""
    token = value.strip()
    if not token:
        raise BotSettingsError(f"TELEGRAM_BOT_TOKEN is not set. {BOTFATHER}")
    if not _TOKEN.fullmatch(token):
        raise BotSettingsError(
            f"TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon, then letters,"
            f" digits, '_' or '-'; got {len(token)} characters). {BOTFATHER}"
        )
    return token


def parse_allowed_chats(value: str) -> frozenset[int]:
    """Chat and user ids from "123, -100456"; blanks are skipped, anything else is an error."""
    ids = set()
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            ids.add(int(item))
        except ValueError:
            raise BotSettingsError(
                f"SANAD_ALLOWED_CHATS must list numeric chat or user ids separated by commas; {item!r} is not"
                " one (a user can learn theirs from @userinfobot)."
            ) from None
    return frozenset(ids)


def parse_editors(value: str) -> Editors:
    """Who may change a group's library; the valid choices are named in the error."""
    choice = value.strip().lower() or "admins"
    if choice not in get_args(Editors):
        raise BotSettingsError(f"SANAD_GROUP_EDITORS must be one of admins, everyone; not {value.strip()!r}.")
    return cast(Editors, choice)


def parse_count(value: str, name: str, default: int) -> int:
    """A whole number above 0 (`default` when unset): SANAD_ARTICLE_MIN_CHARS, the length from which
    pasted text counts as an article (questions are shorter), SANAD_WATCH_PER_HOUR, and the workers'
    SANAD_WORKER_SLOTS and SANAD_LEASE_SECONDS."""
    try:
        number = int(value.strip() or str(default))
    except ValueError:
        number = 0
    if number < 1:
        raise BotSettingsError(f"{name} must be a whole number above 0, not {value.strip()!r}.")
    return number


def api_base_url(value: str) -> str:
    """The Bot API base URL in python-telegram-bot's form, which ends in "/bot" (the token follows).

    A self-hosted server is often given by its root ("http://localhost:8081"); "/bot" is added then.
    """
    url = value.strip().rstrip("/") or TELEGRAM_API
    if not urlsplit(url).scheme or not urlsplit(url).netloc:
        raise BotSettingsError(
            f"TELEGRAM_API_BASE_URL must be an http(s) URL such as {TELEGRAM_API}, not {value.strip()!r}."
        )
    return url if url.endswith("/bot") else url + "/bot"


def api_file_url(base_url: str) -> str:
    """The file URL that goes with a base URL: ".../bot" becomes ".../file/bot", as on Telegram's server."""
    return base_url.removesuffix("/bot") + "/file/bot"


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where `sanad bot --webhook` listens and the public HTTPS URL Telegram posts updates to."""

    listen: str
    port: int
    url: str
    secret_token: str = field(repr=False)

    @property
    def url_path(self) -> str:
        """The path of the public URL: a proxy forwards it unchanged to listen:port."""
        return urlsplit(self.url).path.lstrip("/")

    @classmethod
    def from_options(
        cls, *, listen: str, port: int, url: str | None, secret_token: str | None, env: Mapping[str, str]
    ) -> WebhookSettings:
        """Check the command-line options; without a secret a random one is used for this run."""
        if not url or urlsplit(url).scheme != "https" or not urlsplit(url).netloc:
            raise BotSettingsError(
                "--webhook needs --url, the public HTTPS URL your proxy forwards to this bot"
                " (for example https://bot.example.com/telegram)."
            )
        if not 0 < port < 65536:
            raise BotSettingsError(f"--port must be between 1 and 65535, not {port}.")
        secret = secret_token or env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or secrets.token_urlsafe(32)
        if not _WEBHOOK_SECRET.fullmatch(secret):
            raise BotSettingsError(
                "The webhook secret token must be 1-256 characters of letters, digits, '_' or '-'."
            )
        return cls(listen=listen, port=port, url=url, secret_token=secret)
