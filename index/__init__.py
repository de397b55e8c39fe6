"""Sanad's retrieval core: article text -> exact sentences -> vectors -> library -> quoted answers.

This package knows nothing about Telegram. Its public surface is what the bot and the command line
use; everything else is an implementation module.
"""

from index.config import IndexSettings
from index.documents import SourceText, read_source
from index.errors import (
    CorruptLibraryError,
    InputError,
    LibraryError,
    ModelError,
    ModelMismatchError,
    SanadError,
)
from index.search import Answer, Hit, Searcher, clean_question
from index.service import add_source, open_searcher
from index.store import Document, Library, StoredSentence

__all__ = [
    "Answer",
    "CorruptLibraryError",
    "Document",
    "Hit",
    "IndexSettings",
    "InputError",
    "Library",
    "LibraryError",
    "ModelError",
    "ModelMismatchError",
    "SanadError",
    "Searcher",
    "SourceText",
    "StoredSentence",
    "add_source",
    "clean_question",
    "open_searcher",
    "read_source",
]
