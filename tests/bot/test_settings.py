"""BotSettings from the environment: what is accepted, and errors that say what to do (never the token)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import (
    TELEGRAM_API,
    BotSettings,
    BotSettingsError,
    WebhookSettings,
    api_base_url,
    api_file_url,
    parse_allowed_chats,
)
from index import IndexSettings, InputError

TOKEN = "123456789:AAHfakeTOKENforTESTSonly_abcdefghij"


def test_settings_come_from_the_environment_with_telegram_as_the_default_server() -> None:
    settings = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n", "SANAD_TOP_K": "4"})
    assert settings.token == TOKEN
    assert settings.api_base_url == TELEGRAM_API == "https://api.telegram.org/bot"
    assert settings.api_file_url == "https://api.telegram.org/file/bot"
    assert settings.allowed_chats == frozenset()
    assert settings.quotes_per_answer == 4


def test_group_editors_and_the_article_length_have_defaults_and_checked_values() -> None:
    default = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (default.group_editors, default.article_min_chars) == ("admins", 600)
    custom = BotSettings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SANAD_GROUP_EDITORS": " Everyone ", "SANAD_ARTICLE_MIN_CHARS": "300"}
    )
    assert (custom.group_editors, custom.article_min_chars) == ("everyone", 300)
    with pytest.raises(BotSettingsError, match="SANAD_GROUP_EDITORS must be one of admins, everyone"):
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SANAD_GROUP_EDITORS": "moderators"})
    with pytest.raises(BotSettingsError, match="SANAD_ARTICLE_MIN_CHARS must be a whole number"):
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SANAD_ARTICLE_MIN_CHARS": "lots"})


def test_fetch_settings_and_the_chats_directory_come_from_the_environment(tmp_path: Path) -> None:
    settings = BotSettings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SANAD_DATA": str(tmp_path / "shared"),
            "SANAD_ALLOW_PRIVATE_NETWORKS": "127.0.0.1, 10.0.0.0/8",
            "SANAD_FETCH_TIMEOUT": "7.5",
            "SANAD_MAX_ARTICLE_BYTES": "2000000",
        }
    ).index
    assert settings.chats_dir == tmp_path / "shared" / "chats"
    assert [str(n) for n in settings.fetch.allowed_networks] == ["127.0.0.1/32", "10.0.0.0/8"]
    assert (settings.fetch.timeout, settings.fetch.max_bytes) == (7.5, 2_000_000)
    moved = IndexSettings.from_env({"SANAD_CHATS": str(tmp_path / "volume")})
    assert moved.chats_dir == tmp_path / "volume" and moved.fetch.allowed_networks == ()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SANAD_ALLOW_PRIVATE_NETWORKS", "intranet", "IP addresses or networks"),
        ("SANAD_FETCH_TIMEOUT", "-1", "a number of seconds above 0"),
        ("SANAD_MAX_ARTICLE_BYTES", "5MB", "a whole number of at least 1"),
    ],
)
def test_bad_fetch_settings_say_what_is_expected(name: str, value: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        IndexSettings.from_env({name: value})


def test_the_token_is_not_in_the_settings_repr() -> None:
    settings = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN.partition(":")[2] not in repr(settings)


def test_a_missing_token_says_where_to_get_one() -> None:
    with pytest.raises(BotSettingsError, match=r"TELEGRAM_BOT_TOKEN is not set\. Get one from @BotFather"):
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": " "})


@pytest.mark.parametrize(
    "token",
    [
        "AAHfakeTOKENforTESTSonly_abcdefghij",  # no bot id
        "123456789 AAHfakeTOKENforTESTSonly_abcdefghij",  # a space for the colon
        "123456789:short",
        "123456789:AAHfakeTOKEN/forTESTSonly_abcdefghij",
        '"123456789:AAHfakeTOKENforTESTSonly_abcdefghij"',  # quoted in .env
    ],
)
def test_a_malformed_token_is_refused_in_one_line_without_repeating_it(token: str) -> None:
    with pytest.raises(BotSettingsError) as refused:
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": token})
    message = str(refused.value)
    assert message.startswith("TELEGRAM_BOT_TOKEN does not look like a bot token")
    assert "@BotFather" in message and "\n" not in message
    assert "AAHfake" not in message and "short" not in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", set()),
        ("123", {123}),
        (" 123, -100777 ,, 42 ", {123, -100777, 42}),
    ],
)
def test_the_allow_list_holds_chat_and_user_ids(value: str, expected: set[int]) -> None:
    assert parse_allowed_chats(value) == expected


@pytest.mark.parametrize("value", ["@alice", "123, abc", "1.5"])
def test_a_malformed_allow_list_entry_is_named(value: str) -> None:
    with pytest.raises(BotSettingsError, match="SANAD_ALLOWED_CHATS must list numeric"):
        parse_allowed_chats(value)


def test_an_empty_allow_list_lets_everyone_in_and_a_list_lets_in_its_chats_and_users() -> None:
    everyone = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    listed = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SANAD_ALLOWED_CHATS": "501,-100777"})
    assert everyone.allows(1, 2) and everyone.allows(None, None)
    assert listed.allows(501, 501)  # a private chat
    assert listed.allows(-100777, 9)  # anyone in an allowed group
    assert listed.allows(None, 501)  # an allowed user's inline query
    assert not listed.allows(502, 502) and not listed.allows(None, None)


@pytest.mark.parametrize(
    ("value", "base", "files"),
    [
        ("", "https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://localhost:8081", "http://localhost:8081/bot", "http://localhost:8081/file/bot"),
        ("http://localhost:8081/", "http://localhost:8081/bot", "http://localhost:8081/file/bot"),
        (
            "https://tg.example.com/api/bot",
            "https://tg.example.com/api/bot",
            "https://tg.example.com/api/file/bot",
        ),
    ],
)
def test_a_self_hosted_bot_api_server_is_given_by_its_root_or_its_bot_url(
    value: str, base: str, files: str
) -> None:
    assert api_base_url(value) == base
    assert api_file_url(base) == files


def test_an_explicit_file_url_wins_and_a_bad_base_url_is_refused() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_FILE_URL": "http://files.local/file/bot"}
    assert BotSettings.from_env(env).api_file_url == "http://files.local/file/bot"
    with pytest.raises(BotSettingsError, match="TELEGRAM_API_BASE_URL must be an http"):
        api_base_url("localhost:8081")


def test_a_webhook_listens_on_the_path_of_its_public_https_url() -> None:
    webhook = WebhookSettings.from_options(
        listen="127.0.0.1", port=8443, url="https://bot.example.com/sanad/hook", secret_token="s3cret", env={}
    )
    assert webhook.url_path == "sanad/hook"
    assert "s3cret" not in repr(webhook)


def test_a_webhook_secret_comes_from_the_option_the_environment_or_chance() -> None:
    options = {"listen": "0.0.0.0", "port": 8443, "url": "https://bot.example.com/hook"}
    from_env = WebhookSettings.from_options(
        **options, secret_token=None, env={"TELEGRAM_WEBHOOK_SECRET": "abc"}
    )
    first = WebhookSettings.from_options(**options, secret_token=None, env={})
    second = WebhookSettings.from_options(**options, secret_token=None, env={})
    assert from_env.secret_token == "abc"
    assert len(first.secret_token) >= 32 and first.secret_token != second.secret_token


@pytest.mark.parametrize(
    ("url", "port", "secret", "error"),
    [
        (None, 8443, None, "--webhook needs --url"),
        ("http://bot.example.com/hook", 8443, None, "--webhook needs --url, the public HTTPS URL"),
        ("https://bot.example.com/hook", 0, None, "--port must be between 1 and 65535"),
        ("https://bot.example.com/hook", 8443, "not secret!", "secret token must be 1-256 characters"),
    ],
)
def test_webhook_options_are_checked(url: str | None, port: int, secret: str | None, error: str) -> None:
    with pytest.raises(BotSettingsError, match=error):
        WebhookSettings.from_options(listen="0.0.0.0", port=port, url=url, secret_token=secret, env={})
