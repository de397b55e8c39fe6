"""Wiring for callers (the command line, the bot): settings -> encoder + library -> searcher."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from index.config import IndexSettings
from index.documents import SourceText, prepare_document, read_source, seed_paths
from index.model import Encoder, load_encoder
from index.search import Searcher, calibrated_threshold
from index.store import Document, Library

log = logging.getLogger(__name__)


def open_library(settings: IndexSettings, encoder: Encoder, *, seed: bool = True) -> Library:
    """Open the library; a new one starts with the shipped seed articles when `seed` is set."""
    library = Library.open(settings.data_dir, encoder.info, encoder.probe())
    if seed and not library.documents():
        log.info("new library at %s: adding the seed articles", settings.data_dir)
        add_paths(library, encoder, seed_paths())
    return library


def open_searcher(settings: IndexSettings, *, seed: bool = True) -> Searcher:
    """Load the model and the library, with the calibrated (or configured) answer threshold."""
    encoder = load_encoder(settings.model, settings.model_cache)
    library = open_library(settings, encoder, seed=seed)
    threshold = settings.min_score
    if threshold is None:
        threshold = calibrated_threshold(encoder.info)
        if threshold is None:
            log.warning(
                "no calibrated threshold for %s: every question gets its best match", encoder.info.name
            )
    return Searcher(library, encoder, threshold=threshold)


def add_source(
    library: Library, encoder: Encoder, source: SourceText, *, progress: bool = False
) -> tuple[Document, bool]:
    """Cut, embed and store one article; returns the document and whether it was new."""
    document = prepare_document(source)
    vectors = encoder.encode_passages([s.text for s in document.sentences], progress=progress)
    return library.add(document, vectors)


def add_paths(
    library: Library, encoder: Encoder, paths: Iterable[Path], *, progress: bool = False
) -> list[tuple[Document, bool]]:
    """Add article files in order."""
    return [add_source(library, encoder, read_source(p), progress=progress) for p in paths]
