"""A small news site on 127.0.0.1 for the tests that add articles from links.

Real HTTP from a real server (a thread running http.server), with what the web throws at a fetcher:
article pages in Arabic and English full of page furniture, a section page with no article, a page
larger than any limit, a page that trickles in, a redirect loop, redirects to private and metadata
addresses, a missing page, an image, a page in windows-1256.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

SITE = Path(__file__).parents[1] / "fixtures" / "site"
ARTICLE_AR = SITE / "water-plan-ar.html"
ARTICLE_EN = SITE / "bridge-en.html"
SECTION = SITE / "section-index.html"
# From the fixtures, to check what was kept and what was dropped.
AR_TITLE = "الأردن يبدأ تنفيذ مشروع لتحلية مياه البحر في العقبة"
AR_COST = "وتبلغ الكلفة التقديرية للمشروع نحو ثلاثة مليارات دولار"
EN_TITLE = "Council approves new footbridge across the Wye"
EN_COST = "The bridge will cost £4.2 million"
PLAIN_TEXT = (
    "Harbour reopens after storm repairs\n\n"
    "The harbour reopened to fishing boats on Friday after three weeks of repairs to the storm wall.\n"
    "The harbour master said the new wall was built to withstand waves twice as high as last winter's.\n"
)
STREAM_LIMIT = 50_000_000  # bytes the endless pages send at most, should a client never stop reading
CHUNK_PAUSE = 0.2  # seconds between the slow page's chunks


class NewsSite:
    """The site, serving on a free port; `url(path)` gives a page's address, `requests` what was asked
    (path and Host header)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append((self.path, self.headers.get("Host", "")))
                route = ROUTES.get(self.path)
                try:
                    if route is None:
                        self._send(404, "text/html; charset=utf-8", b"<html><body>Not found</body></html>")
                    else:
                        route(self)
                except OSError:
                    pass  # the client stopped reading (a size or time limit): the point of some pages

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


# ------------------------------------------------------------------------------ pages

Handler = BaseHTTPRequestHandler
Route = Callable[[Handler], None]


def _page(path: Path, content_type: str = "text/html; charset=utf-8", encoding: str = "utf-8") -> Route:
    def serve(handler: Handler) -> None:
        body = path.read_text(encoding="utf-8").encode(encoding)
        handler._send(200, content_type, body)  # type: ignore[attr-defined]

    return serve


def _redirect(location: str, status: int = 302) -> Route:
    def serve(handler: Handler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return serve


def _stream(chunk: bytes, pause: float, content_type: str = "text/html; charset=utf-8") -> Route:
    """No Content-Length: the body runs until the client hangs up (HTTP/1.0 ends it by closing)."""

    def serve(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.end_headers()
        handler.wfile.write(b"<html><body><article>")
        sent = 0
        while sent < STREAM_LIMIT:
            handler.wfile.write(chunk)
            handler.wfile.flush()
            sent += len(chunk)
            if pause:
                time.sleep(pause)

    return serve


def _declared_huge(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(10**9))
    handler.end_headers()
    handler.wfile.write(b"<html>")


def _bytes(content_type: str, body: bytes) -> Route:
    def serve(handler: Handler) -> None:
        handler._send(200, content_type, body)  # type: ignore[attr-defined]

    return serve


_PARAGRAPH = ("<p>" + "The council met again to discuss the bridge and the budget. " * 20 + "</p>\n").encode()

ROUTES: dict[str, Route] = {
    "/ar/water-plan": _page(ARTICLE_AR),
    "/ar/water-plan-1256": _page(ARTICLE_AR, "text/html; charset=windows-1256", "windows-1256"),
    "/en/bridge": _page(ARTICLE_EN),
    "/economy": _page(SECTION),
    "/notes.txt": _bytes("text/plain; charset=utf-8", PLAIN_TEXT.encode()),
    "/photo.jpg": _bytes("image/jpeg", b"\xff\xd8\xff\xe0" + bytes(2000)),
    "/huge": _stream(_PARAGRAPH * 50, pause=0),
    "/huge-declared": _declared_huge,
    "/slow": _stream(b"<p>Still loading.</p>\n", pause=CHUNK_PAUSE),
    "/loop/a": _redirect("/loop/b"),
    "/loop/b": _redirect("/loop/a"),
    "/redirect/article": _redirect("/en/bridge", 301),
    "/redirect/private": _redirect("http://10.1.2.3/internal/report"),
    "/redirect/metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "/redirect/ftp": _redirect("ftp://127.0.0.1/article.txt"),
}
