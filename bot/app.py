"""Wiring: settings + searcher -> a python-telegram-bot `Application`, and running it.

The application is built the same way for production, the tests and the benchmark; only where it
connects (`BotSettings.api_base_url`) differs. Everything it needs is passed in: no globals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.addressing import ADDRESSED_TO_BOT
from bot.articles import ArticleHandlers
from bot.handlers import Handlers
from bot.health import heartbeat_path, start_heartbeat
from bot.i18n import ENGLISH, TEXTS
from bot.journal import RETRY_AFTER, JournaledProcessor, JournalingQueue
from bot.keyboards import ARTICLE_DATA
from bot.leases import Leases
from bot.logs import RedactToken
from bot.lookup import Librarian
from bot.memory import Memory
from bot.pastes import Pastes
from bot.retry import RetryingRateLimiter
from bot.settings import BOTFATHER, BotSettings, BotSettingsError, WebhookSettings
from bot.sources import JUST_A_LINK, ArticleLike
from bot.state import STATE_NAME, BotState
from bot.watch import Watcher
from bot.workers import ClaimingProcessor, shared_budget, worker_name
from index import SanadError, Shelf

log = logging.getLogger(__name__)
# Pauses before asking the Bot API again at start, when it answers 429 or 5xx.
CONNECT_RETRY_AFTER = (1.0, 2.0, 4.0, 8.0)
# The start and stop lines, logged at INFO even without -v (`sanad bot` sets this logger's level).
STATUS = logging.getLogger("sanad.status")

# The update kinds the bot handles; Telegram sends no others.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CHANNEL_POST,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]
# Retries of a request that Telegram answers with 429 (Too Many Requests), after the wait it asks for.
RATE_LIMIT_RETRIES = 3
# Seconds a request that fails on the way (5xx, timeout, dropped connection) is retried: bot/retry.py.
NETWORK_RETRY_SECONDS = 60.0


def build_application(
    settings: BotSettings, shelf: Shelf, *, retry_after: tuple[float, ...] = RETRY_AFTER
) -> Application:
    """The bot, ready for `run_polling`/`run_webhook` (or initialize, post_init, start, in tests).

    Its update queue journals every update and its update processor handles them through the journal
    (bot/journal.py), in the state file beside the chats' libraries (bot/state.py), which also keeps
    the buttons' memory. `retry_after`: pauses before a failed update is tried again.
    """
    librarian = Librarian(
        shelf,
        quotes=settings.quotes_per_answer,
        fetch=settings.index.fetch,
        min_chars=settings.article_min_chars,
    )
    database_url = settings.index.database_url
    if database_url:
        state = BotState.connect(database_url)
    else:
        state = BotState.open(settings.state_path or _beside_the_chats(shelf))
    memory = Memory(state)
    handlers = Handlers(settings, librarian, memory)
    articles = ArticleHandlers(settings, librarian, memory, Pastes())
    watcher = Watcher(librarian, memory, articles, settings.watch_per_hour)

    async def give_up(update: Update, reason: str) -> None:
        await articles.interrupted(update.update_id, update.get_bot())
        await handlers.gave_up(update, reason)

    before_send = None
    if database_url:  # any number of workers share the journal and the flood budgets
        leases = Leases(state.database, worker_name(), lease=settings.lease_seconds)
        processor: JournaledProcessor = ClaimingProcessor(
            state, leases, slots=settings.worker_slots, give_up=give_up, retry_after=retry_after
        )
        before_send = shared_budget(state, leases)
    else:
        processor = JournaledProcessor(state, give_up=give_up, retry_after=retry_after)
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                do_quote=True,
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(
            RetryingRateLimiter(
                give_up_after=NETWORK_RETRY_SECONDS, max_retries=RATE_LIMIT_RETRIES, before_send=before_send
            )
        )
        .update_queue(JournalingQueue(state))
        .concurrent_updates(processor)
        .build()
    )
    processor.attach(application)
    add_handlers(application, handlers, articles, watcher)
    application.add_error_handler(processor.on_error)

    async def post_init(app: Application) -> None:
        await register_commands(app)
        replayed = await processor.replay()
        interrupted = await articles.report_interrupted(app.bot)
        pruned = await state.run(state.prune)
        STATUS.info(
            "Sanad bot @%s started (%s): %s; %s; journal %s (%d updates to replay, %d interrupted adds"
            " reported, %d old entries pruned)",
            app.bot.username,
            app.bot_data.get("mode", "polling"),
            describe_libraries(shelf),
            shelf.encoder.info.backend,
            state.where,
            replayed,
            interrupted,
            pruned,
        )

    async def post_stop(app: Application) -> None:
        await processor.stop()

    async def post_shutdown(app: Application) -> None:
        counts = processor.counts
        STATUS.info(
            "Sanad bot @%s stopped: %d updates answered, %d retried, %d given up, %d replayed",
            app.bot.username,
            counts["handled"],
            counts["retried"],
            counts["given_up"],
            counts["replayed"],
        )
        state.close()

    application.post_init = post_init
    application.post_stop = post_stop
    application.post_shutdown = post_shutdown
    return application


def _beside_the_chats(shelf: Shelf) -> Path:
    if shelf.chats_dir is None:
        raise BotSettingsError("The chats' libraries are on a database server: set SANAD_DATABASE_URL to it.")
    return shelf.chats_dir / STATE_NAME


def describe_libraries(shelf: Shelf) -> str:
    """The shared library and the chats' libraries in a few words, for the start-up line."""
    shared = shelf.shared_documents()
    sentences = sum(document.sentence_count for document in shared)
    chats = len(shelf.chat_ids())
    return f"shared library {len(shared)} articles ({sentences:,} sentences), {chats} chat libraries"


def add_handlers(
    application: Application, handlers: Handlers, articles: ArticleHandlers, watcher: Watcher
) -> None:
    """One handler per intent; the first that matches an update in group 0 handles it. What no other
    handler takes in a group, and every channel post, is a post the watcher may add (bot/watch.py)."""
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    channel_post = filters.UpdateType.CHANNEL_POST
    addressed = private | (groups & ADDRESSED_TO_BOT)
    new_text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & addressed
    article_like = ArticleLike(articles.settings.article_min_chars, articles.pastes)
    application.add_handler(TypeHandler(Update, handlers.gate), group=-2)
    application.add_handler(TypeHandler(Update, handlers.check_button), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", handlers.start),
            CommandHandler("help", handlers.help_command),
            CommandHandler("ask", handlers.ask),
            CommandHandler("add", articles.add),
            CommandHandler("sources", articles.sources),
            CommandHandler("remove", articles.remove),
            CommandHandler("clear", articles.clear),
            CommandHandler("repair", articles.repair),
            CommandHandler("shared", articles.shared),
            CommandHandler("watch", watcher.watch, filters=filters.UpdateType.MESSAGE | channel_post),
            MessageHandler(
                filters.UpdateType.MESSAGE & (filters.Document.ALL | filters.PHOTO) & addressed,
                articles.offer,
            ),
            MessageHandler(new_text & JUST_A_LINK, articles.link),
            MessageHandler(new_text & article_like, articles.offer),
            MessageHandler(filters.TEXT & ~filters.COMMAND & addressed, handlers.question),
            MessageHandler(
                filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL & addressed,
                handlers.not_text,
            ),
            MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND & private, handlers.unknown_command),
            MessageHandler((filters.UpdateType.MESSAGE & groups) | channel_post, watcher.post),
            CallbackQueryHandler(articles.button, pattern=rf"(?:{ARTICLE_DATA.pattern})\Z"),
            CallbackQueryHandler(handlers.button),
            InlineQueryHandler(handlers.inline),
        ]
    )
    application.add_error_handler(handlers.on_error)


async def register_commands(application: Application) -> None:
    """The command menu: English by default, and each other interface language for its users."""
    for texts in TEXTS.values():
        commands = [BotCommand(command, description) for command, description in texts.commands]
        language = None if texts is ENGLISH else texts.language
        await application.bot.set_my_commands(commands, language_code=language)


def check_connection(settings: BotSettings, *, retry_after: tuple[float, ...] = CONNECT_RETRY_AFTER) -> str:
    """Ask the Bot API who the bot is, and return its username.

    Done before the slow model load, so that a refused token or a server nobody listens at fails at
    once. A server that answers 429 or 5xx, or drops the connection, is asked again a few times: a
    bot restarted during a Bot API hiccup must not exit (and leave its journal unreplayed).
    """

    async def get_me() -> str:
        for pause in (*retry_after, None):
            try:
                async with Bot(
                    settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url
                ) as bot:
                    return bot.username
            except (RetryAfter, NetworkError) as exc:
                if pause is None or str(exc).startswith("httpx.ConnectError"):
                    raise
                log.warning("the Bot API did not answer getMe (%s); asking again in %.0f s", exc, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    with telegram_errors(settings):
        return asyncio.run(get_me())


def serve(application: Application, settings: BotSettings, webhook: WebhookSettings | None = None) -> None:
    """Run until SIGINT or SIGTERM: long polling, or a webhook server behind an HTTPS proxy."""
    keep_heartbeat(application, heartbeat_path(settings.index))
    application.bot_data["mode"] = (
        "polling" if webhook is None else f"webhook on {webhook.listen}:{webhook.port}"
    )
    with telegram_errors(settings):
        if webhook is None:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
            return
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.url_path,
            webhook_url=webhook.url,
            secret_token=webhook.secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )


def keep_heartbeat(application: Application, path: Path) -> None:
    """Start the heartbeat (see bot.health) once the application's event loop runs."""
    first = application.post_init

    async def post_init(app: Application) -> None:
        if first is not None:
            await first(app)
        start_heartbeat(asyncio.get_running_loop(), path)

    application.post_init = post_init


@contextmanager
def telegram_errors(settings: BotSettings) -> Iterator[None]:
    """Turn the Bot API's fatal errors into one-line Sanad errors, without the token.

    python-telegram-bot's InvalidToken message quotes the token, so its text is never passed on.
    """
    try:
        yield
    except InvalidToken:
        raise BotSettingsError(f"Telegram refused TELEGRAM_BOT_TOKEN. {BOTFATHER}") from None
    except TelegramError as exc:
        detail = RedactToken(settings.token).redact(str(exc))
        raise SanadError(
            f"The Bot API at {settings.api_base_url} failed: {detail}"
            " (check TELEGRAM_API_BASE_URL and the network)."
        ) from None
