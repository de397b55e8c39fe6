"""Links -> pages: fetch one web page safely, for adding the article it holds.

This is the only module that imports httpx. A link a chat member sends is untrusted, and the bot
runs inside a network it could otherwise probe, so every hop is checked here rather than left to the
HTTP client:

- only http and https, and a host name or address;
- the host is resolved here, every address it resolves to must be public (or in
  SANAD_ALLOW_PRIVATE_NETWORKS), and the request then goes to that checked address, so a second DNS
  answer cannot swap in another one (DNS rebinding); cloud metadata addresses are always refused;
- redirects are followed by hand, each hop checked the same way, at most `max_redirects` of them;
- one time limit for the whole page, redirects included, and a size limit counted while the body
  streams in (after decompression, so a small compressed bomb is stopped too);
- HTML and plain text only.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from index.config import FetchSettings
from index.errors import (
    BlockedAddressError,
    DeadLinkError,
    RedirectLoopError,
    SlowPageError,
    TooLargeError,
    UnsupportedLinkError,
    UnsupportedTypeError,
)

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
USER_AGENT = "Mozilla/5.0 (compatible; Sanad/0.1; article reader)"
# Cloud instance metadata services: never fetched, whatever the settings allow.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses it resolves to (socket.getaddrinfo by default; tests pass their own).
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: its final address, body, media type and declared character set."""

    url: str
    content: bytes
    media_type: str
    charset: str | None


def fetch_page(
    url: str,
    settings: FetchSettings,
    *,
    resolve: Resolver | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Page:
    """Fetch `url`, following redirects; raises an `index.errors.InputError` subclass for each refusal."""
    resolve = resolve or resolve_host
    deadline = time.monotonic() + settings.timeout
    current = parse_link(url)
    seen = {str(current)}
    with httpx.Client(
        transport=transport,
        timeout=settings.timeout,
        follow_redirects=False,
        trust_env=False,  # a proxy would connect to addresses this module never checked
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9"},
    ) as client:
        for _hop in range(settings.max_redirects + 1):
            address = checked_address(current, settings, resolve)
            request = _request_to(client, current, address)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise _slow(url, settings) from exc
            except httpx.HTTPError as exc:
                raise DeadLinkError(
                    f"Could not connect to {current.host} ({type(exc).__name__})."
                    " Check the link and try again."
                ) from exc
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = _redirect_target(current, location)
                    if str(current) in seen:
                        raise RedirectLoopError(
                            f"{url} redirects in a loop. Open it in a browser and send the address"
                            " it ends at."
                        )
                    seen.add(str(current))
                    continue
                return _read(response, current, url, settings, deadline)
            finally:
                response.close()
    raise RedirectLoopError(
        f"{url} redirects more than {settings.max_redirects} times. Send the address the article ends at."
    )


def parse_link(url: str) -> httpx.URL:
    """The link as a URL, or an error when it is not an http(s) link with a host."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsupportedLinkError(f"{url!r} is not a web address. Send a link such as https://…") from exc
    if not parsed.scheme:
        raise UnsupportedLinkError(f"{url!r} is not a web address. Send a link such as https://…")
    if parsed.scheme not in ("http", "https"):
        raise UnsupportedLinkError(
            f"Only http and https links can be added, not {parsed.scheme}. Send a web link."
        )
    if not parsed.host:
        raise UnsupportedLinkError(
            f"{url!r} has no host name. Send a link such as https://example.com/article"
        )
    return parsed


def checked_address(url: httpx.URL, settings: FetchSettings, resolve: Resolver) -> Address:
    """The address to connect to for `url`: every address its host resolves to must be allowed."""
    host = _ascii_host(url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = [_address(a) for a in resolve(host, port)]
    except (OSError, UnicodeError, ValueError) as exc:
        raise DeadLinkError(
            f"The host {url.host} was not found. Check the link for typos.", host=url.host
        ) from exc
    if not addresses:
        raise DeadLinkError(f"The host {url.host} was not found. Check the link for typos.", host=url.host)
    for address in addresses:
        if is_allowed(address, settings):
            continue
        named = url.host if url.host == str(address) else f"{url.host} ({address})"
        if _unmapped(address) in METADATA_ADDRESSES:
            raise BlockedAddressError(
                f"{named} is a cloud metadata address, which Sanad never fetches. Send a public link."
            )
        raise BlockedAddressError(
            f"{named} is a private, local or reserved address, which Sanad does not fetch. Send a public"
            " link (or list the network in SANAD_ALLOW_PRIVATE_NETWORKS)."
        )
    return addresses[0]


def is_allowed(address: Address, settings: FetchSettings) -> bool:
    """Public addresses, and private ones inside an allowed network; never a metadata service."""
    address = _unmapped(address)
    if address in METADATA_ADDRESSES:
        return False
    if any(address in network for network in settings.allowed_networks):
        return True
    return address.is_global and not address.is_multicast


def resolve_host(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to, in the order the system prefers them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _unmapped(address: Address) -> Address:
    """ "::ffff:10.0.0.1" is 10.0.0.1."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _ascii_host(url: httpx.URL) -> str:
    """The host as DNS and TLS know it (internationalised names in their xn-- form)."""
    return url.raw_host.decode("ascii")


def _address(text: str) -> Address:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")


def _request_to(client: httpx.Client, url: httpx.URL, address: Address) -> httpx.Request:
    """A GET for `url` sent to `address`, with the original host for the Host header and TLS."""
    host_header = url.netloc.decode("ascii")
    extensions = {"sni_hostname": _ascii_host(url)} if url.scheme == "https" else {}
    return client.build_request(
        "GET", url.copy_with(host=str(address)), headers={"Host": host_header}, extensions=extensions
    )


def _redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    try:
        return parse_link(str(current.join(location)))
    except httpx.InvalidURL as exc:
        raise DeadLinkError(
            f"{current} redirects to an invalid address. Send the article's own link."
        ) from exc


def _read(
    response: httpx.Response, url: httpx.URL, asked: str, settings: FetchSettings, deadline: float
) -> Page:
    if response.status_code >= 400:
        raise DeadLinkError(
            f"{asked} answered {response.status_code} {response.reason_phrase}. Check that the link opens"
            " in a browser.",
            status=response.status_code,
        )
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type and media_type not in PAGE_TYPES:
        raise UnsupportedTypeError(
            f"{asked} is {media_type}, not a web page. Send a link to an article page, or the file itself.",
            kind=media_type,
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise _too_large(asked, settings)
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > settings.max_bytes:
                raise _too_large(asked, settings)
            if time.monotonic() > deadline:
                raise _slow(asked, settings)
    except httpx.TimeoutException as exc:
        raise _slow(asked, settings) from exc
    except httpx.HTTPError as exc:
        raise DeadLinkError(f"{asked} broke off while loading ({type(exc).__name__}). Try again.") from exc
    if not media_type:
        media_type = "text/html" if body.lstrip()[:1] == b"<" else "text/plain"
    return Page(url=str(url), content=bytes(body), media_type=media_type, charset=charset)


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset


def _too_large(url: str, settings: FetchSettings) -> TooLargeError:
    return TooLargeError(
        f"{url} is larger than {settings.max_bytes:,} bytes. Paste the article's text instead.",
        limit=settings.max_bytes,
    )


def _slow(url: str, settings: FetchSettings) -> SlowPageError:
    return SlowPageError(
        f"{url} did not load within {settings.timeout:g} s. Try again later, or paste the article's text."
    )
