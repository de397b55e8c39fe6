"""Links back to the page an article came from, and to the very sentence a quote is.

A quote links to its page with a URL text fragment (`#:~:text=start,end`, WICG's Scroll-To-Text
Fragment): a browser that knows them opens the page scrolled to the sentence and highlights it; one
that does not just opens the page. A long sentence is named by its first and last few words, which is
all the fragment needs to find it. Each term is percent-encoded, `-`, `&` and `,` included, as the
directive's syntax requires.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from index import Document

FRAGMENT_WORDS = 4  # words at each end of a long sentence that name it in a text fragment


def page_of(document: Document) -> str | None:
    """The web page an article was added from (its http or https link), without any fragment."""
    source = (document.source or "").strip()
    try:
        parts = urlsplit(source)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return source.split("#", 1)[0]


def sentence_link(page: str, sentence: str) -> str:
    """`page`, opened at `sentence` and highlighting it."""
    words = sentence.split()
    if len(words) <= 2 * FRAGMENT_WORDS:
        terms = [" ".join(words)]
    else:
        terms = [" ".join(words[:FRAGMENT_WORDS]), " ".join(words[-FRAGMENT_WORDS:])]
    return f"{page}#:~:text={','.join(_term(term) for term in terms)}"


def _term(text: str) -> str:
    """One term of a text directive: percent-encoded UTF-8, with '-' encoded too (it marks a prefix or
    suffix there)."""
    return quote(text, safe="").replace("-", "%2D")
