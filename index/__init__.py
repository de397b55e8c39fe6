"""Sanad's retrieval core: article text -> exact sentences -> vectors -> library -> quoted answers.

This package knows nothing about Telegram. Its public surface is what the bot and the command line
use; everything else is an implementation module.
"""

from index.config import FetchSettings, IndexSettings
from index.documents import SourceText, read_source
from index.errors import (
    BlockedAddressError,
    BrokenFileError,
    CorruptLibraryError,
    DeadLinkError,
    EncryptedFileError,
    InputError,
    LibraryError,
    ModelError,
    ModelMismatchError,
    NoArticleError,
    RedirectLoopError,
    SanadError,
    SlowPageError,
    TooLargeError,
    UnsupportedLinkError,
    UnsupportedTypeError,
)
from index.search import Answer, Hit, Searcher, clean_question
from index.service import add_source, is_link, open_searcher, open_shelf, read_link, read_upload
from index.shelf import Shelf
from index.store import Document, Library, StoredSentence

__all__ = [
    "Answer",
    "BlockedAddressError",
    "BrokenFileError",
    "CorruptLibraryError",
    "DeadLinkError",
    "Document",
    "EncryptedFileError",
    "FetchSettings",
    "Hit",
    "IndexSettings",
    "InputError",
    "Library",
    "LibraryError",
    "ModelError",
    "ModelMismatchError",
    "NoArticleError",
    "RedirectLoopError",
    "SanadError",
    "Searcher",
    "Shelf",
    "SlowPageError",
    "SourceText",
    "StoredSentence",
    "TooLargeError",
    "UnsupportedLinkError",
    "UnsupportedTypeError",
    "add_source",
    "clean_question",
    "is_link",
    "open_searcher",
    "open_shelf",
    "read_link",
    "read_source",
    "read_upload",
]
