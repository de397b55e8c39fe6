"""Wiring for callers (the command line, the bot): settings -> encoder + libraries -> searcher or shelf;
links and files -> articles."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from index.config import FetchSettings, IndexSettings
from index.documents import SourceText, prepare_document, read_source, seed_paths
from index.model import Encoder, load_encoder
from index.search import Searcher
from index.shelf import Shelf
from index.store import Document, Library
from index.tuning import Fusion, Thresholds, load_tuning
from index.use import SecondOpinion

log = logging.getLogger(__name__)


def open_library(
    settings: IndexSettings, encoder: Encoder, *, seed: bool = True, progress: bool = False
) -> Library:
    """Open the library; a new one starts with the shipped seed articles when `seed` is set."""
    library = Library.open(settings.data_dir, encoder.info, encoder.probe())
    if seed and not library.documents():
        log.info("new library at %s: adding the seed articles", settings.data_dir)
        add_paths(library, encoder, seed_paths(), progress=progress)
    return library


def open_searcher(settings: IndexSettings, *, seed: bool = True) -> Searcher:
    """Load the model and the library, with the calibrated (or configured) answer thresholds."""
    Library.check_at(settings.data_dir)  # a damaged library fails now, not after the slow model load
    # USE loads on the second core while e5 does (0.1-0.5 s of a first answer); it is dropped again
    # when the model's fusion does not weigh it.
    second = SecondOpinion(model_cache=settings.model_cache)
    second.start_warming()
    encoder = load_encoder(settings)
    return searcher_for(settings, open_library(settings, encoder, seed=seed), encoder, second=second)


def searcher_for(
    settings: IndexSettings, library: Library, encoder: Encoder, *, second: SecondOpinion | None = None
) -> Searcher:
    """A searcher with this model's calibrated fusion and thresholds (plain e5 ranking without them).
    `second` is the USE encoder to use when the fusion weighs it (default: a new one)."""
    fusion, thresholds = calibration_for(settings, encoder)
    if fusion and fusion.uses_second_model:
        second = second or SecondOpinion(model_cache=settings.model_cache)
    else:
        second = None
    return Searcher(library, encoder, thresholds=thresholds, fusion=fusion, second=second)


def open_shelf(settings: IndexSettings) -> Shelf:
    """The shared library (seeded when new) and the chats' libraries under `settings.chats_dir`."""
    return Shelf(open_searcher(settings), settings.chats_dir, owns_shared=True)


def read_link(url: str, settings: FetchSettings) -> SourceText:
    """Fetch a web page and find the article in it (see index.fetch and index.extract)."""
    from index.extract import article_from_page
    from index.fetch import fetch_page

    return article_from_page(fetch_page(url, settings))


def read_upload(name: str, data: bytes, settings: FetchSettings) -> SourceText:
    """The article in a file's bytes, by the file's name (see index.extract)."""
    from index.extract import article_from_file

    return article_from_file(name, data, settings)


def is_link(text: str) -> bool:
    """Whether `text` is given as a link (any scheme) rather than a file path: "https://…", "ftp://…"."""
    scheme, separator, _ = text.strip().partition("://")
    return bool(separator) and scheme.isascii() and scheme.replace("+", "").replace("-", "").isalnum()


def calibration_for(settings: IndexSettings, encoder: Encoder) -> tuple[Fusion | None, Thresholds | None]:
    """This model's calibrated fusion weights and "no answer" thresholds (None where `sanad calibrate`
    has not run for it); SANAD_MIN_SCORE, when set, is the threshold for every question instead."""
    tuning = load_tuning(encoder.info.fingerprint)
    if tuning is None:
        log.warning("no calibration for %s: run sanad calibrate", encoder.info.name)
    if settings.min_score is not None:
        thresholds: Thresholds | None = Thresholds.uniform(settings.min_score)
    else:
        thresholds = tuning.thresholds if tuning else None
    return (tuning.fusion if tuning else None), thresholds


def add_source(
    library: Library, encoder: Encoder, source: SourceText, *, progress: bool = False
) -> tuple[Document, bool]:
    """Cut, embed and store one article; returns the document and whether it was new."""
    document = prepare_document(source)
    vectors = encoder.embed_passages([s.text for s in document.sentences], progress=progress)
    return library.add(document, vectors)


def add_paths(
    library: Library, encoder: Encoder, paths: Iterable[Path], *, progress: bool = False
) -> list[tuple[Document, bool]]:
    """Add article files in order."""
    return [add_source(library, encoder, read_source(p), progress=progress) for p in paths]
