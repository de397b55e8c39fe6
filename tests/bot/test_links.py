"""Quotes from an article added from a link open its page at the quoted sentence (a URL text
fragment), and its title links to the page; articles from files or pasted text link nowhere."""

from __future__ import annotations

import dataclasses
from urllib.parse import unquote

import pytest

from bot.i18n import ENGLISH
from bot.links import page_of, sentence_link
from bot.lookup import Lookup
from bot.render import render_answer, render_sources
from index import Answer, Hit
from tests.support.builders import document, sentences

PAGE = "https://news.example/world/2026/denial?utm=1"


def test_a_short_sentence_is_its_own_fragment_and_a_long_one_is_named_by_its_ends() -> None:
    assert sentence_link(PAGE, "The ministry denied it.") == f"{PAGE}#:~:text=The%20ministry%20denied%20it."
    long = (
        "The spokesman of the Chinese foreign ministry denied these claims on Tuesday, calling them baseless."
    )
    link = sentence_link(PAGE, long)
    start, end = link.partition("#:~:text=")[2].split(",")
    assert (unquote(start), unquote(end)) == ("The spokesman of the", "Tuesday, calling them baseless.")


@pytest.mark.parametrize("special", ["-", "&", ","])
def test_the_characters_the_directive_uses_are_encoded_in_its_terms(special: str) -> None:
    directive = sentence_link(PAGE, f"Rates rose {special} sharply.").partition("#:~:text=")[2]
    assert special not in directive and unquote(directive) == f"Rates rose {special} sharply."


def test_arabic_is_percent_encoded_utf8() -> None:
    directive = sentence_link(PAGE, "ونفى المتحدث هذه المزاعم").partition("#:~:text=")[2]
    assert directive.isascii() and unquote(directive) == "ونفى المتحدث هذه المزاعم"


def test_only_web_pages_are_linked_and_an_old_fragment_is_dropped() -> None:
    assert page_of(dataclasses.replace(document(), source=PAGE + "#comments")) == PAGE
    for source in (None, "report.pdf", "javascript:alert(1)", "file:///etc/passwd", "https://"):
        assert page_of(dataclasses.replace(document(), source=source)) is None


def test_an_answer_links_its_title_to_the_page_and_its_place_to_the_sentence() -> None:
    article = dataclasses.replace(document(), source=PAGE)
    stored = sentences()
    hit = Hit(stored[1], article, 2.0, context=(stored[1],), margin=0.5)
    [message] = render_answer(Lookup(Answer("q", (hit,), 2.0, 1.5), shown=1), ENGLISH)
    fragment = sentence_link(PAGE, hit.text).replace("&", "&amp;")
    assert f'📰 <a href="{PAGE.replace("&", "&amp;")}"><b>' in message
    assert f'<a href="{fragment}">paragraph 2 of' in message
    [listing] = render_sources([article], [], ENGLISH)
    assert f'<a href="{PAGE}"><b>' in listing


def test_an_article_from_a_file_links_nowhere() -> None:
    stored = sentences()
    hit = Hit(stored[0], document(), 2.0, context=(stored[0],), margin=0.5)
    [message] = render_answer(Lookup(Answer("q", (hit,), 2.0, 1.5), shown=1), ENGLISH)
    assert "<a " not in message
