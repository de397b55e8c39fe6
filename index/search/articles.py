"""What the ranking needs to know about a whole article, computed once per article and kept: its BM25
statistics, the script it is written in and the numbers it holds.

The script decides how a question pairs with the article (same script or across scripts), and so which
fusion weights and which "no answer" threshold apply: once per question and article, so that every
sentence of an article is scored alike, whatever letters it happens to hold. The numbers let a question
that names one (a year, an amount) pass over articles that never mention it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from index.library import AnyLibrary
from index.search.lexical import BM25, held_numbers
from index.text import ScriptKind, article_script, pairing

CACHED_ARTICLES = 256


class Articles:
    """Per-article BM25, script and numbers for one library, the most recently used `capacity` kept.
    Thread-safe."""

    def __init__(self, library: AnyLibrary, capacity: int = CACHED_ARTICLES) -> None:
        self.library = library
        self._capacity = capacity
        self._known: OrderedDict[tuple[int, int], tuple[BM25, str, frozenset[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def bm25(self, document_id: int) -> BM25:
        """BM25 over the article's sentences, rows in sentence position order."""
        return self._get(document_id)[0]

    def script(self, document_id: int) -> str:
        """'arabic', 'latin' or 'other': the script most of the article's letters are in."""
        return self._get(document_id)[1]

    def numbers(self, document_id: int) -> frozenset[str]:
        """The numbers the article holds, keyed as `index.search.lexical.named_numbers` keys them."""
        return self._get(document_id)[2]

    def kind(self, question: str, document_id: int) -> ScriptKind:
        """How `question` pairs with the article: in its script, or across scripts."""
        return pairing(question, self.script(document_id))

    def _get(self, document_id: int) -> tuple[BM25, str, frozenset[str]]:
        # Keyed by the library's generation too: no write changes an article while it lasts, and reading
        # it costs no query (a look-up per candidate would be one).
        key = (document_id, self.library.generation)
        with self._lock:
            found = self._known.get(key)
            if found is not None:
                self._known.move_to_end(key)
                return found
        texts = [s.text for s in self.library.document_sentences(document_id)]
        found = (BM25(texts), article_script(texts), held_numbers(" ".join(texts)))
        with self._lock:
            self._known[key] = found
            while len(self._known) > self._capacity:
                self._known.popitem(last=False)
        return found
