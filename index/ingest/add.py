"""The one way an article enters a library: cut, embed, store.

Nothing is written until the article is cut and embedded, so a refused article leaves no trace (not
even an empty library): the library may be given as a function that opens (or creates) it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from index.embedding import Encoder
from index.ingest.prepare import prepare_document
from index.ingest.sources import read_source
from index.library import AnyLibrary, Library, PostgresLibrary
from index.records import Document, SourceText


def add_source(
    library: AnyLibrary | Callable[[], AnyLibrary],
    encoder: Encoder,
    source: SourceText,
    *,
    progress: bool = False,
) -> tuple[Document, bool]:
    """Cut, embed and store one article; returns the document and whether it was new."""
    document = prepare_document(source)
    vectors = encoder.embed_passages([s.text for s in document.sentences], progress=progress)
    target = library if isinstance(library, Library | PostgresLibrary) else library()
    return target.add(document, vectors)


def add_paths(
    library: AnyLibrary, encoder: Encoder, paths: Iterable[Path], *, progress: bool = False
) -> list[tuple[Document, bool]]:
    """Add article files in order."""
    return [add_source(library, encoder, read_source(p), progress=progress) for p in paths]
