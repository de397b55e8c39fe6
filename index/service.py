"""Wiring for callers (the command line, the bot): settings -> encoder + libraries -> searcher or shelf."""

from __future__ import annotations

import logging

from index.config import IndexSettings
from index.database import Postgres
from index.embedding import Encoder, SecondOpinion, load_encoder
from index.ingest import add_paths, seed_paths
from index.library import AnyLibrary, Catalog, Library, OnDisk, OnServer
from index.search import Fusion, LearnedFusion, Searcher, Thresholds, load_tuning
from index.shelf import Shelf

log = logging.getLogger(__name__)


def open_catalog(settings: IndexSettings) -> Catalog:
    """Where the libraries live: on disk (SANAD_DATA, SANAD_CHATS), or on the PostgreSQL server of
    SANAD_DATABASE_URL (its tables set up by `sanad setup`)."""
    if settings.database_url:
        return OnServer(Postgres.connect(settings.database_url))
    return OnDisk(settings.data_dir, settings.chats_dir)


def open_library(
    settings: IndexSettings,
    encoder: Encoder,
    *,
    seed: bool = True,
    progress: bool = False,
    catalog: Catalog | None = None,
) -> AnyLibrary:
    """Open the shared library; a new one starts with the shipped seed articles when `seed` is set."""
    catalog = catalog or open_catalog(settings)
    library = catalog.open(None, encoder.info, encoder.probe())
    if seed and not library.documents():
        log.info("new library at %s: adding the seed articles", catalog.describe(None))
        add_paths(library, encoder, seed_paths(), progress=progress)
    return library


def open_searcher(settings: IndexSettings, *, seed: bool = True, catalog: Catalog | None = None) -> Searcher:
    """Load the model and the shared library, with the calibrated (or configured) answer thresholds."""
    catalog = catalog or open_catalog(settings)
    if isinstance(catalog, OnDisk):
        Library.check_at(settings.data_dir)  # a damaged library fails now, not after the slow model load
    # USE loads on the second core while e5 does (0.1-0.5 s of a first answer); it is dropped again
    # when the model's fusion does not weigh it.
    second = SecondOpinion(model_cache=settings.model_cache)
    second.start_warming()
    encoder = load_encoder(settings)
    library = open_library(settings, encoder, seed=seed, catalog=catalog)
    return searcher_for(settings, library, encoder, second=second)


def searcher_for(
    settings: IndexSettings, library: AnyLibrary, encoder: Encoder, *, second: SecondOpinion | None = None
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
    """The shared library (seeded when new) and the chats' libraries: under `settings.chats_dir`, or on
    the server of SANAD_DATABASE_URL."""
    catalog = open_catalog(settings)
    try:
        return Shelf(open_searcher(settings, catalog=catalog), catalog, owns_shared=True)
    except BaseException:
        catalog.close()
        raise


def calibration_for(
    settings: IndexSettings, encoder: Encoder
) -> tuple[Fusion | LearnedFusion | None, Thresholds | None]:
    """This model's calibrated fusion weights and "no answer" thresholds (None where `sanad calibrate`
    has not run for it); SANAD_MIN_SCORE, when set, is the threshold for every question instead."""
    tuning = None
    if settings.fusion == "learned":
        tuning = load_tuning(encoder.info.fingerprint, learned=True)
        if tuning is None:
            log.warning(
                "no learned fusion for %s: run sanad calibrate; ranking with the weighted one",
                encoder.info.name,
            )
    tuning = tuning or load_tuning(encoder.info.fingerprint)
    if tuning is None:
        log.warning("no calibration for %s: run sanad calibrate", encoder.info.name)
    if settings.min_score is not None:
        thresholds: Thresholds | None = Thresholds.uniform(settings.min_score)
    else:
        thresholds = tuning.thresholds if tuning else None
    return (tuning.fusion if tuning else None), thresholds
