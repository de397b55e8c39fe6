"""The token never reaches a log line: not in messages, arguments, tracebacks, nor httpx's URLs."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import REDACTED, protect_logs

TOKEN = "123456789:AAHfakeTOKENforTESTSonly_abcdefghij"


@pytest.fixture
def log_output() -> tuple[logging.Logger, io.StringIO]:
    """A logger with its own handler, as logging.basicConfig would set up on the root logger."""
    stream = io.StringIO()
    logger = logging.getLogger("tests.bot.redaction")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_the_token_is_redacted_in_messages_arguments_and_tracebacks(
    log_output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log_output
    protect_logs(TOKEN, logger=logger)
    logger.info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        logger.exception("update %s failed", 7)
    logger.info("only the secret half: %s", TOKEN.partition(":")[2])
    output = stream.getvalue()
    assert TOKEN.partition(":")[2] not in output
    assert output.count(REDACTED) == 3
    assert f"https://api.telegram.org/bot{REDACTED}/getMe" in output
    assert "RuntimeError: The token" in output  # the traceback is kept, the token is not


def test_httpx_request_logs_are_quieted() -> None:
    logging.getLogger("httpx").setLevel(logging.INFO)
    protect_logs(TOKEN, logger=logging.getLogger("tests.bot.unused"))
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert not logging.getLogger("httpcore").isEnabledFor(logging.INFO)
