"""Fetching article pages over real HTTP from a local news site, and refusing what must be refused.

The site runs on 127.0.0.1, a loopback address the fetcher refuses by default; these tests allow
exactly that one address (as SANAD_ALLOW_PRIVATE_NETWORKS=127.0.0.1 does), so everything else private
stays refused.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from index.config import FetchSettings, parse_networks
from index.errors import (
    BlockedAddressError,
    DeadLinkError,
    NoArticleError,
    RedirectLoopError,
    SlowPageError,
    TooLargeError,
    UnsupportedLinkError,
    UnsupportedTypeError,
)
from index.ingest import read_link
from index.ingest.extract import article_from_page
from index.ingest.fetch import _request_to, checked_address, fetch_page, parse_link
from tests.support.news_site import AR_COST, AR_TITLE, EN_COST, EN_TITLE, PLAIN_TEXT, NewsSite

LOOPBACK_ONLY = FetchSettings(timeout=2.0, max_bytes=1_000_000, allowed_networks=parse_networks("127.0.0.1"))
DEFAULTS = FetchSettings(timeout=2.0)


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def test_an_arabic_news_page_gives_its_article_without_the_page_furniture(site: NewsSite) -> None:
    article = read_link(site.url("/ar/water-plan"), LOOPBACK_ONLY)
    assert article.title == AR_TITLE  # the site's name is cut from the <title>
    assert (article.published, article.author) == ("2024-03-12", "ليلى الحسن")
    assert article.source == site.url("/ar/water-plan")
    assert AR_COST in article.text
    for furniture in ("الرئيسية", "مقالات ذات صلة", "جميع الحقوق محفوظة", "أضف تعليقاً", "عاجل"):
        assert furniture not in article.text


def test_an_english_news_page_gives_its_article_without_the_page_furniture(site: NewsSite) -> None:
    article = read_link(site.url("/en/bridge"), LOOPBACK_ONLY)
    assert (article.title, article.published, article.author) == (EN_TITLE, "2024-05-02", "Tom Ellis")
    assert EN_COST in article.text
    for furniture in (
        "We use cookies",
        "Related stories",
        "Sign up for our newsletter",
        "All rights reserved",
    ):
        assert furniture not in article.text


def test_the_charset_the_server_declares_decodes_the_page(site: NewsSite) -> None:
    article = read_link(site.url("/ar/water-plan-1256"), LOOPBACK_ONLY)
    assert article.title == AR_TITLE and AR_COST in article.text


def test_a_plain_text_page_is_taken_as_it_is(site: NewsSite) -> None:
    assert read_link(site.url("/notes.txt"), LOOPBACK_ONLY).text == PLAIN_TEXT


def test_a_redirect_is_followed_and_the_final_address_kept(site: NewsSite) -> None:
    page = fetch_page(site.url("/redirect/article"), LOOPBACK_ONLY)
    assert page.url == site.url("/en/bridge")
    assert article_from_page(page).title == EN_TITLE


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/economy", NoArticleError, "No article text"),
        ("/huge", TooLargeError, "larger than 1,000,000 bytes"),
        ("/huge-declared", TooLargeError, "larger than 1,000,000 bytes"),
        ("/slow", SlowPageError, "did not load within 2 s"),
        ("/loop/a", RedirectLoopError, "redirects in a loop"),
        ("/missing", DeadLinkError, "answered 404 Not Found"),
        ("/photo.jpg", UnsupportedTypeError, "image/jpeg, not a web page"),
        ("/redirect/private", BlockedAddressError, "10.1.2.3 is a private, local or reserved address"),
        ("/redirect/metadata", BlockedAddressError, "169.254.169.254 is a cloud metadata address"),
        ("/redirect/ftp", UnsupportedLinkError, "not ftp"),
    ],
)
def test_pages_that_hold_no_usable_article_are_refused_with_their_reason(
    site: NewsSite, path: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_link(site.url(path), LOOPBACK_ONLY)


def test_a_page_over_the_size_limit_is_refused_with_the_limit(site: NewsSite) -> None:
    small = FetchSettings(timeout=2.0, max_bytes=2_000, allowed_networks=LOOPBACK_ONLY.allowed_networks)
    with pytest.raises(TooLargeError) as refused:
        read_link(site.url("/en/bridge"), small)  # declared with Content-Length
    assert refused.value.limit == 2_000


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("file:///etc/passwd", "not file"),
        ("ftp://example.com/article.txt", "not ftp"),
        ("javascript:alert(1)", "not javascript"),
        ("gopher://example.com/", "not gopher"),
        ("news from today", "is not a web address"),
        ("http:///no-host", "no host name"),
    ],
)
def test_only_http_and_https_links_are_fetched(link: str, message: str) -> None:
    with pytest.raises(UnsupportedLinkError, match=message):
        read_link(link, LOOPBACK_ONLY)


@pytest.mark.parametrize(
    "link",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1/admin",
        "http://172.16.5.4/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",  # loopback written as IPv6
        "http://0.0.0.0/",
        "http://224.0.0.1/",  # multicast
        "http://240.0.0.1/",  # reserved
    ],
)
def test_private_local_reserved_and_metadata_addresses_are_refused(link: str) -> None:
    with pytest.raises(BlockedAddressError):
        read_link(link, DEFAULTS)


def test_a_host_name_that_resolves_to_loopback_is_refused_unless_allowed(site: NewsSite) -> None:
    with pytest.raises(BlockedAddressError, match="localhost"):
        read_link(site.url("/en/bridge", host="localhost"), DEFAULTS)  # the system's own resolver
    served = len(site.requests)
    assert read_link(site.url("/en/bridge", host="localhost"), LOOPBACK_ONLY).title == EN_TITLE
    assert len(site.requests) == served + 1


def test_metadata_addresses_stay_refused_even_inside_an_allowed_network() -> None:
    link_local = FetchSettings(allowed_networks=parse_networks("169.254.0.0/16"))
    with pytest.raises(BlockedAddressError, match="metadata"):
        read_link("http://169.254.169.254/latest/meta-data/", link_local)


def test_a_host_is_refused_when_any_of_its_addresses_is_private() -> None:
    """A name that resolves to a public and a private address must not get to pick at connect time."""

    def rebinding(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.5"]

    with pytest.raises(BlockedAddressError, match=re.escape("(10.0.0.5)")):
        checked_address(parse_link("http://news.example/"), DEFAULTS, rebinding)


def test_the_request_goes_to_the_checked_address_with_the_original_host(site: NewsSite) -> None:
    looked_up: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    page = fetch_page(f"http://news.example:{site.port}/en/bridge", LOOPBACK_ONLY, resolve=resolver)
    assert looked_up == ["news.example"]  # resolved once, by the fetcher, not again by the client
    assert site.requests[-1] == ("/en/bridge", f"news.example:{site.port}")
    assert page.url == f"http://news.example:{site.port}/en/bridge"


def test_an_unknown_host_is_a_dead_link() -> None:
    def no_such_host(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(DeadLinkError, match="was not found"):
        fetch_page("https://no-such-host.example/article", DEFAULTS, resolve=no_such_host)


def test_a_closed_port_is_a_dead_link() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens once the socket closes
    with pytest.raises(DeadLinkError, match="Could not connect"):
        read_link(f"http://127.0.0.1:{port}/", LOOPBACK_ONLY)


def test_https_keeps_the_host_name_for_tls_while_connecting_to_the_address() -> None:
    with httpx.Client() as client:
        address = ipaddress.ip_address("93.184.216.34")
        request = _request_to(client, parse_link("https://news.example/story"), address)
    assert request.url.host == "93.184.216.34"
    assert request.headers["Host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"  # the certificate is checked against it


def test_the_same_page_read_again_and_again_gives_the_same_article(site: NewsSite) -> None:
    """Several chats adding one story: nothing remembered from earlier reads may spoil a later one
    (trafilatura's deduplication would drop the page from the fourth read on)."""
    first = read_link(site.url("/ar/water-plan"), LOOPBACK_ONLY)
    for _ in range(4):
        assert read_link(site.url("/ar/water-plan"), LOOPBACK_ONLY) == first
