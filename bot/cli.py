"""`sanad`: the index commands plus the bot's, in one console script.

    sanad            the main job: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else `sanad chat`
    sanad bot        the Telegram bot (long polling; --webhook behind an HTTPS proxy)
    sanad chat       the same answers in the terminal

Heavy modules (the model, python-telegram-bot) load only inside the commands that need them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.settings import BotSettings, WebhookSettings
from index import IndexSettings
from index.cli import build_parser, run

log = logging.getLogger("sanad")


def main(argv: Sequence[str] | None = None) -> int:
    # python-telegram-bot warns on every RetryAfter (a 429) unless it may use timedelta there.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    return run(build_sanad_parser(), argv)


def build_sanad_parser() -> argparse.ArgumentParser:
    """The index's parser with the bot's commands, and the bot as the default when it can run."""
    parser, command = build_parser()
    parser.set_defaults(handler=_main_job, setup_steps=(_set_up_state,))
    parser.epilog = (
        "With no command: run the Telegram bot when TELEGRAM_BOT_TOKEN is set, else chat in the terminal."
    )
    bot = command("bot", _bot, "Run the Telegram bot (long polling; --webhook behind an HTTPS proxy).")
    bot.add_argument("--webhook", action="store_true", help="receive updates by webhook instead of polling")
    bot.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on (default 0.0.0.0)")
    bot.add_argument("--port", type=int, default=8443, help="webhook: port to listen on (default 8443)")
    bot.add_argument("--url", help="webhook: public HTTPS URL your proxy forwards to --listen:--port")
    bot.add_argument(
        "--secret-token",
        help="webhook: secret Telegram sends with each update (default: TELEGRAM_WEBHOOK_SECRET or random)",
    )
    chat = command("chat", _chat, "Ask questions in the terminal; answers read as the bot writes them.")
    chat.add_argument("--chat", type=int, metavar="ID", help="also search this Telegram chat's own library")
    command("health", _health, "Exit 0 when a running bot has beaten its heartbeat recently (for Docker).")
    return parser


def _set_up_state(settings: IndexSettings) -> None:
    """`sanad setup`, with SANAD_DATABASE_URL: create or upgrade the bot's tables there."""
    from bot.state import BotState
    from index import redact_url

    if settings.database_url:
        ran = BotState.set_up(settings.database_url)
        print(f"bot state at {redact_url(settings.database_url)}: {ran} migrations applied, up to date")


def _health(args: argparse.Namespace, settings: IndexSettings) -> int:
    from bot.health import check_health, heartbeat_path

    problem = check_health(heartbeat_path(settings))
    print(problem or "ok: the bot is running", file=sys.stderr if problem else sys.stdout)
    return 1 if problem else 0


def _main_job(args: argparse.Namespace, settings: IndexSettings) -> int:
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        return _run_bot(settings, webhook=None)
    return _chat(args, settings)


def _bot(args: argparse.Namespace, settings: IndexSettings) -> int:
    webhook = None
    if args.webhook:
        webhook = WebhookSettings.from_options(
            listen=args.listen, port=args.port, url=args.url, secret_token=args.secret_token, env=os.environ
        )
    return _run_bot(settings, webhook=webhook)


def _run_bot(index_settings: IndexSettings, *, webhook: WebhookSettings | None) -> int:
    from bot.app import STATUS, build_application, check_connection, serve
    from bot.logs import protect_logs
    from index import open_shelf, password_of

    settings = BotSettings.from_env(index=index_settings)
    protect_logs(settings.token, password=password_of(settings.index.database_url or ""))
    if STATUS.getEffectiveLevel() > logging.INFO:
        STATUS.setLevel(logging.INFO)  # the start and stop lines, even without -v
    username = check_connection(settings)
    log.info("connected to the Bot API as @%s; loading the library and the model", username)
    with open_shelf(settings.index) as shelf:  # USE loads in the background meanwhile
        serve(build_application(settings, shelf), settings, webhook)
    return 0


def _chat(args: argparse.Namespace, settings: IndexSettings) -> int:
    from bot.chat import chat
    from bot.lookup import Librarian
    from index import open_shelf

    with open_shelf(settings) as shelf:
        return chat(Librarian(shelf, quotes=settings.top_k), chat_id=getattr(args, "chat", None))


if __name__ == "__main__":
    sys.exit(main())
